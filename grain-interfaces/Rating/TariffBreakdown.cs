namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// What one slot of a tariff charged for a call: the call's seconds that fell in it (<see cref="CallSeconds"/>),
/// rounded up to the slot's increment (<see cref="BilledSeconds"/>), at its price per minute; <see cref="Amount"/> is
/// exact (the call's total is rounded once, to centavos).
/// </summary>
public sealed record SlotCharge(int Slot, int FromSecond, decimal PricePerMinute, int IncrementSeconds, int CallSeconds, int BilledSeconds, decimal Amount);

/// <summary>
/// How a call of <see cref="DurationSeconds"/> was charged by a tariff, slot by slot: free (at most the tariff's free
/// seconds), or raised to <see cref="EffectiveSeconds"/> (the minimum), the connect fee plus each slot's charge,
/// <see cref="Cost"/> rounded once. Mirrors <c>TariffCalculator.Rate</c> (a test checks both agree on billed seconds and
/// cost); the simulation screens show it next to the rating preview.
/// </summary>
public sealed record TariffBreakdown(
    int DurationSeconds, bool Free, int EffectiveSeconds, decimal ConnectFee, IReadOnlyList<SlotCharge> Slots, int BilledSeconds, decimal Cost)
{
    public static TariffBreakdown Explain(Tariff tariff, int durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        if (tariff.Slots.IsDefaultOrEmpty) throw new ArgumentException("Tarifa sem faixas.", nameof(tariff));
        if (durationSeconds <= tariff.FreeSeconds) return new(durationSeconds, true, durationSeconds, 0m, [], 0, 0m);

        var effective = Math.Max(durationSeconds, tariff.MinimumSeconds);
        var charges = new List<SlotCharge>();
        var amount = tariff.ConnectFee;
        var billed = 0;
        var slots = tariff.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (effective <= slot.FromSecond) break;
            long end = i + 1 < slots.Length ? slots[i + 1].FromSecond : long.MaxValue;
            var seconds = (int)(Math.Min(effective, end) - slot.FromSecond);
            var inc = Math.Max(1, slot.IncrementSeconds);
            var rounded = (seconds + inc - 1) / inc * inc;
            var part = rounded * slot.PricePerMinute / 60m;
            charges.Add(new SlotCharge(i, slot.FromSecond, slot.PricePerMinute, slot.IncrementSeconds, seconds, rounded, part));
            billed += rounded;
            amount += part;
        }
        return new(durationSeconds, false, effective, tariff.ConnectFee, charges, billed, Common.Money.Round(amount));
    }
}
