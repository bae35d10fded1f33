using System.Diagnostics.CodeAnalysis;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;

namespace Billing.Grains.Circuits;

/// <summary>
/// The credit reservations of one circuit's calls in progress (authorized, not yet completed or expired): one per call
/// id, the total they hold, their expiry, and the calls this circuit refused at authorize. Plain class, no Orleans: the
/// circuit grain calls it from its turns only (not thread-safe), and it is unit-tested on its own.
/// </summary>
/// <param name="clock">Time of the expiry sweep.</param>
/// <param name="countChanged">
/// Told +1 / -1 whenever a call gains or loses its reservation (the grain passes the silo's
/// <see cref="ReservationGauge"/>); null: not counted anywhere.
/// </param>
internal sealed class ReservationBook(TimeProvider clock, Action<long>? countChanged = null)
{
    /// <summary>How many refused call ids are remembered before the memory is emptied.</summary>
    public const int MaxRefused = 10_000;

    private readonly Dictionary<string, Reservation> _byCall = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);

    /// <summary>Calls holding a reservation (the circuit's active calls).</summary>
    public int Count => _byCall.Count;

    /// <summary>Credit held by every reservation together.</summary>
    public decimal Reserved { get; private set; }

    public bool TryGet(string callId, [MaybeNullWhen(false)] out Reservation reservation) =>
        _byCall.TryGetValue(callId, out reservation);

    /// <summary>
    /// Makes <paramref name="reservation"/> its call's reservation: a new one, or the larger one of an extend (its amount
    /// replaces the previous one's in <see cref="Reserved"/>). A call that gets a reservation is no longer "refused".
    /// </summary>
    public void Put(Reservation reservation)
    {
        if (_byCall.TryGetValue(reservation.CallId, out var before)) Reserved -= before.Amount;
        else countChanged?.Invoke(1);
        _byCall[reservation.CallId] = reservation;
        Reserved += reservation.Amount;
        _refused.Remove(reservation.CallId);
    }

    /// <summary>Takes back <paramref name="reservation"/> if it is still its call's reservation (a failed hold write).</summary>
    public bool Withdraw(Reservation reservation)
    {
        if (!_byCall.TryGetValue(reservation.CallId, out var current) || !ReferenceEquals(current, reservation)) return false;
        _byCall.Remove(reservation.CallId);
        Reserved -= reservation.Amount;
        countChanged?.Invoke(-1);
        return true;
    }

    /// <summary>Puts <paramref name="previous"/> back if <paramref name="current"/> is still the call's reservation (a failed extend).</summary>
    public bool Restore(Reservation current, Reservation previous)
    {
        if (!_byCall.TryGetValue(current.CallId, out var now) || !ReferenceEquals(now, current)) return false;
        Put(previous);
        return true;
    }

    /// <summary>Removes the call's reservation to settle it (complete); false when the call holds none.</summary>
    public bool TryRelease(string callId, [MaybeNullWhen(false)] out Reservation reservation)
    {
        if (!_byCall.Remove(callId, out reservation)) return false;
        Reserved -= reservation.Amount;
        countChanged?.Invoke(-1);
        return true;
    }

    /// <summary>Removes and returns the reservations whose time ran out (granted seconds + grace) without a complete.</summary>
    public IReadOnlyList<Reservation> ExpireDue()
    {
        var now = clock.GetUtcNow();
        List<Reservation>? expired = null;
        foreach (var r in _byCall.Values)
            if (r.ExpiresAt < now) (expired ??= []).Add(r);
        if (expired is null) return [];
        foreach (var r in expired)
        {
            _byCall.Remove(r.CallId);
            Reserved -= r.Amount;
            countChanged?.Invoke(-1);
        }
        return expired;
    }

    /// <summary>The activation ends: its reservations stop counting (their holds stay in the database for the next one).</summary>
    public void Abandon()
    {
        countChanged?.Invoke(-_byCall.Count);
        _byCall.Clear();
        Reserved = 0m;
    }

    /// <summary>Remembers a call refused at authorize (its complete from the switch is not rated).</summary>
    public void MarkRefused(string callId)
    {
        if (_refused.Count > MaxRefused) _refused.Clear();
        _refused.Add(callId);
    }

    public bool WasRefused(string callId) => _refused.Contains(callId);

    /// <summary>
    /// Seconds that can be granted on top of <paramref name="already"/> (at most <paramref name="chunk"/> more)
    /// with <paramref name="budget"/> available besides what is already reserved for them; 0 = nothing useful.
    /// </summary>
    public static int Grant(Tariff tariff, int already, decimal budget, int chunk) => Grant(tariff, null, default, already, budget, chunk);

    /// <inheritdoc cref="Grant(Tariff, int, decimal, int)"/>
    /// <remarks>With <paramref name="windowed"/> (an entry with time windows) the call started at <paramref name="start"/>
    /// is priced per window part; without, the plain tariff path.</remarks>
    public static int Grant(Tariff tariff, WindowedTariff? windowed, DateTimeOffset start, int already, decimal budget, int chunk)
    {
        var target = already + chunk;
        var reservedForAlready = already == 0 ? 0m : Price(tariff, windowed, start, already).Cost;
        if (Price(tariff, windowed, start, target).Cost == 0m) return chunk; // free destination
        var total = windowed is null
            ? TariffCalculator.MaxSecondsWithin(tariff, budget + reservedForAlready, target)
            : windowed.MaxSecondsWithin(start, budget + reservedForAlready, target);
        var more = total - already;
        var free = windowed is null ? tariff.FreeSeconds : windowed.TariffAt(start).FreeSeconds;
        // seconds inside the free allowance, or so few that their cost rounds to zero, are no real grant:
        // granting them would let a circuit with nothing left place calls that are charged at complete
        if (total <= free || more <= 0 || Price(tariff, windowed, start, total).Cost <= reservedForAlready) return 0;
        return more;
    }

    /// <summary>The cost of <paramref name="seconds"/> of a call started at <paramref name="start"/>.</summary>
    public static RatedCall Price(Tariff tariff, WindowedTariff? windowed, DateTimeOffset start, int seconds) =>
        windowed is null ? TariffCalculator.Rate(tariff, seconds) : windowed.Rate(start, seconds);
}
