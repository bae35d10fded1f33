using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// How an inbound call reached the circuit: through which DID, which reseller pays the completion of its
/// minutes and at what price, whether the DID accepts collect calls and where siga-me forwards it.
/// Built by the Did grain, carried in <see cref="AuthorizeRequest.Inbound"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.InboundRoute")]
public sealed record InboundRoute
{
    [Id(0)] public required string Did { get; init; }
    [Id(1)] public required string Account { get; init; }
    [Id(2)] public long? ResellerId { get; init; }
    [Id(3)] public decimal CompletionPricePerMinute { get; init; }
    [Id(4)] public bool AcceptsCollect { get; init; }
    /// <summary>Siga-me target when siga-me is enabled on the DID, else null.</summary>
    [Id(5)] public string? ForwardTo { get; init; }
}

/// <summary>Whether a circuit could dial a number itself (siga-me destinations are checked with it).</summary>
[GenerateSerializer, Immutable, Alias("Billing.DialCheck")]
public sealed record DialCheck(
    [property: Id(0)] bool Ok,
    [property: Id(1)] string? Normalized,
    [property: Id(2)] string? CallType,
    [property: Id(3)] string? Reason);

/// <summary>Result of a blacklist change: the list after it, or field errors.</summary>
[GenerateSerializer, Immutable, Alias("Billing.BlacklistResult")]
public sealed record BlacklistResult(
    [property: Id(0)] Common.CommandResult Result,
    [property: Id(1)] ImmutableArray<string> Numbers,
    [property: Id(2)] int Added);
