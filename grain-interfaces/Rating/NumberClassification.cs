namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// What a dialled number is, seen from a circuit's own DDD.
/// <see cref="NormalizedNumber"/> is E.164 with '+' (<c>+5511987654321</c>); short codes (190, 192…) keep
/// their digits (<c>190</c>). <see cref="DestinationDdd"/> is set for Brazilian geographic destinations,
/// <see cref="CountryCode"/> for international ones; <see cref="Csp"/> is the carrier code the caller chose
/// (0+CSP, 00+CSP, 90+CSP), when any.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.NumberClassification")]
public sealed record NumberClassification(
    CallType CallType,
    MobileArea MobileArea,
    string NormalizedNumber,
    string? DestinationDdd,
    string? CountryCode,
    string? Csp = null)
{
    /// <summary>Digits of <see cref="NormalizedNumber"/> without '+', as used for rate-deck prefixes.</summary>
    public string Digits => NormalizedNumber.TrimStart('+');
}

/// <summary>Either a <see cref="Classification"/> or an invalid destination with a pt-BR <see cref="Reason"/>.</summary>
[GenerateSerializer, Immutable, Alias("Billing.ClassificationResult")]
public sealed record ClassificationResult(NumberClassification? Classification, string? Reason)
{
    /// <summary>The refusal code of an invalid destination.</summary>
    public const string InvalidDestination = "destino_invalido";

    public bool IsValid => Classification is not null;

    public static ClassificationResult Valid(NumberClassification c) => new(c, null);

    public static ClassificationResult Invalid(string reason) => new(null, reason);
}
