using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Rating;

/// <summary>The charge of one call: seconds billed after minimum and increments, and the cost in reais rounded to centavos.</summary>
[GenerateSerializer, Immutable, Alias("Billing.RatedCall")]
public sealed record RatedCall(int BilledSeconds, decimal Cost)
{
    public static RatedCall Zero { get; } = new(0, 0m);
}

/// <summary>The rate-deck row that priced a number (longest prefix).</summary>
[GenerateSerializer, Immutable, Alias("Billing.DeckMatch")]
public sealed record DeckMatch(string RateDeckId, int Version, string Prefix, string Destination, Tariff Tariff);

/// <summary>
/// Everything about how a call is charged: its classification, the plan version and tariff used (and the deck
/// row when the plan points at a deck), and the charge. When the call cannot be rated, <see cref="Error"/>
/// (a code such as <c>destino_invalido</c>) and <see cref="Message"/> (pt-BR) are set instead. When the entry has
/// tariff <see cref="Windows"/>, <see cref="Tariff"/> is the entry's own tariff and <see cref="Parts"/> says how the
/// call was split across them.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.CallRating")]
public sealed record CallRating(
    NumberClassification? Classification,
    string? PlanId,
    int? PlanVersion,
    Tariff? Tariff,
    DeckMatch? DeckMatch,
    RatedCall? Rated,
    string? Error,
    string? Message,
    ImmutableArray<TariffWindow>? Windows = null,
    ImmutableArray<RatedPart>? Parts = null)
{
    public const string InvalidDestination = ClassificationResult.InvalidDestination;
    public const string InvalidAreaCode = "ddd_invalido";
    public const string UnknownPlan = "plano_inexistente";
    public const string NoPlanVersion = "plano_sem_vigencia";
    public const string NotInPlan = "tipo_nao_tarifado";
    public const string NoRoute = "sem_rota";

    public bool Ok => Error is null;

    public static CallRating Fail(string error, string message, NumberClassification? classification = null, string? planId = null, int? planVersion = null) =>
        new(classification, planId, planVersion, null, null, null, error, message);
}
