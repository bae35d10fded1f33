using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;

namespace Billing.Grains.Rating;

/// <summary>Rates a call duration with a <see cref="Tariff"/>. Pure and exact (decimal, one rounding).</summary>
public static class TariffCalculator
{
    /// <summary>
    /// Billed seconds and cost of a call of <paramref name="durationSeconds"/> answered seconds:
    /// nothing at all up to <see cref="Tariff.FreeSeconds"/>; otherwise the duration is raised to
    /// <see cref="Tariff.MinimumSeconds"/>, each slot's share is rounded up to the slot's increment and priced
    /// per minute, the connect fee is added, and the sum is rounded once to centavos, half away from zero.
    /// </summary>
    public static RatedCall Rate(Tariff tariff, int durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        if (tariff.Slots.IsDefaultOrEmpty) throw new ArgumentException("Tarifa sem faixas.", nameof(tariff));
        if (durationSeconds <= tariff.FreeSeconds) return RatedCall.Zero;

        long effective = Math.Max(durationSeconds, tariff.MinimumSeconds);
        long billed = 0;
        var amount = tariff.ConnectFee;
        var slots = tariff.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            long start = slot.FromSecond;
            if (effective <= start) break;
            long end = i + 1 < slots.Length ? slots[i + 1].FromSecond : long.MaxValue;
            var seconds = Math.Min(effective, end) - start;
            long inc = Math.Max(1, slot.IncrementSeconds);
            var rounded = (seconds + inc - 1) / inc * inc;
            billed += rounded;
            amount += rounded * slot.PricePerMinute / 60m;
        }
        return new RatedCall(checked((int)billed), Money.Round(amount));
    }

    /// <summary>
    /// The longest duration (at most <paramref name="capSeconds"/>) whose cost does not exceed
    /// <paramref name="budget"/>; used to answer "for how long may this call go". Relies on cost never
    /// decreasing as duration grows.
    /// </summary>
    public static int MaxSecondsWithin(Tariff tariff, decimal budget, int capSeconds = 4 * 3600)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        ArgumentOutOfRangeException.ThrowIfNegative(capSeconds);
        if (budget < 0) return 0;
        if (Rate(tariff, capSeconds).Cost <= budget) return capSeconds;
        int lo = 0, hi = capSeconds; // cost(lo) <= budget (cost(0) = 0), cost(hi) > budget
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Rate(tariff, mid).Cost <= budget) lo = mid;
            else hi = mid;
        }
        return lo;
    }
}
