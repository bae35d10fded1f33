using Billing.GrainInterfaces.Rating;
using Billing.Grains.Numbering;

namespace Billing.Grains.Rating;

/// <summary>
/// Classifies and rates one call against a plan: the rule shared by the plan grain (preview, calls of
/// circuits without a cached plan) and the circuit grain (which caches its plan and rates locally).
/// Only rate-deck lookups leave the caller, through <paramref name="matchDeck"/>.
/// </summary>
public static class PlanRating
{
    public static async ValueTask<CallRating> RateAsync(Plan? plan, string planId, string areaCode, string destination,
        int durationSeconds, DateTimeOffset callStart, Func<string, string, Task<DeckMatch?>> matchDeck, RatingContext? context = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        ArgumentNullException.ThrowIfNull(matchDeck);
        if (!Ddds.IsValid(areaCode))
            return CallRating.Fail(CallRating.InvalidAreaCode, $"DDD do circuito inexistente: '{areaCode}'.");
        if (plan is null) return CallRating.Fail(CallRating.UnknownPlan, $"O plano '{planId}' não existe.");

        var classified = NumberClassifier.Classify(areaCode, destination ?? "");
        if (classified.Classification is not { } c)
            return CallRating.Fail(CallRating.InvalidDestination, classified.Reason!, planId: plan.Id);
        return await RateClassifiedAsync(plan, c, durationSeconds, callStart, matchDeck, context);
    }

    /// <summary>
    /// The same rule for a number the caller has already classified (the circuit's hot path classifies once). An entry
    /// with tariff windows is rated in <paramref name="context"/> (default: São Paulo, national holidays).
    /// </summary>
    public static async ValueTask<CallRating> RateClassifiedAsync(Plan plan, NumberClassification c, int durationSeconds,
        DateTimeOffset callStart, Func<string, string, Task<DeckMatch?>> matchDeck, RatingContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(matchDeck);
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        var version = plan.VersionAt(callStart);
        if (version is null)
            return CallRating.Fail(CallRating.NoPlanVersion, $"O plano '{plan.Id}' ainda não estava em vigor em {callStart:O}.", c, plan.Id);

        var entry = CallRater.EntryFor(version, c.CallType);
        if (entry is null)
            return CallRating.Fail(CallRating.NotInPlan, "O plano não tarifa este tipo de chamada.", c, plan.Id, version.Version);
        if (entry.Tariff is { } tariff)
        {
            if (entry.Windows is { IsDefaultOrEmpty: false } windows)
                return CallRater.Rate(plan.Id, version, c, new WindowedTariff(tariff, windows, context ?? RatingContext.Default), callStart, durationSeconds);
            return CallRater.Rate(plan.Id, version, c, tariff, durationSeconds);
        }

        var match = await matchDeck(entry.RateDeckId!, c.NormalizedNumber);
        if (match is null)
            return CallRating.Fail(CallRating.NoRoute, $"Nenhum prefixo da tabela '{entry.RateDeckId}' atende {c.NormalizedNumber}.", c, plan.Id, version.Version);
        return CallRater.Rate(plan.Id, version, c, match.Tariff, durationSeconds, match);
    }
}
