using Billing.GrainInterfaces.Rating;

namespace Billing.Grains.Rating;

/// <summary>Plan-level rating rules, pure: which plan entry prices a call type, and the final <see cref="CallRating"/>.</summary>
public static class CallRater
{
    /// <summary>
    /// The entry pricing <paramref name="type"/> in <paramref name="version"/>. Emergency and 0800 calls
    /// without an entry are free (never refused); other missing types return null (not sold by the plan).
    /// </summary>
    public static PlanEntry? EntryFor(PlanVersion version, CallType type)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Entries.TryGetValue(type, out var entry)) return entry;
        return type is CallType.Emergencia or CallType.Gratuito ? PlanEntry.Of(Tariff.Free) : null;
    }

    /// <summary>Rates a classified call with a tariff (from the plan, or from <paramref name="deckMatch"/>).</summary>
    public static CallRating Rate(string planId, PlanVersion version, NumberClassification classification, Tariff tariff,
        int durationSeconds, DeckMatch? deckMatch = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        var rated = TariffCalculator.Rate(tariff, durationSeconds);
        return new CallRating(classification, planId, version.Version, tariff, deckMatch, rated, null, null);
    }

    /// <summary>Rates a classified call whose entry has tariff windows: the total, and the parts it was split into.</summary>
    public static CallRating Rate(string planId, PlanVersion version, NumberClassification classification, WindowedTariff tariff,
        DateTimeOffset callStart, int durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(tariff);
        var detail = tariff.Detail(callStart, durationSeconds);
        return new CallRating(classification, planId, version.Version, tariff.BaseTariff, null, detail.Rated, null, null,
            tariff.Windows, detail.Parts);
    }
}
