using System.Diagnostics.Metrics;

namespace Billing.Grains.Circuits;

/// <summary>
/// Credit reservations (authorized calls not yet completed or expired) held by the circuit activations of
/// this silo, published as the observable gauge <c>billing.circuits.reservations.active</c> of the meter
/// <see cref="MeterName"/>. Static on purpose: the grain keeps its constructor, and the count is per process.
/// </summary>
public static class ReservationGauge
{
    public const string MeterName = "Billing.Circuits";
    private static long _active;
    private static readonly Meter Meter = new(MeterName);

    static ReservationGauge() =>
        Meter.CreateObservableGauge("billing.circuits.reservations.active", () => Volatile.Read(ref _active),
            "{reservation}", "Authorized calls holding a credit reservation in this silo");

    public static long Active => Volatile.Read(ref _active);

    internal static void Add(long delta)
    {
        if (delta != 0) Interlocked.Add(ref _active, delta);
    }
}
