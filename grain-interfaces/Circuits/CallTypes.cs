namespace Billing.GrainInterfaces.Circuits;

public enum CallDirection
{
    Outbound,
    Inbound,
}

/// <summary>Refusal reasons the softswitch understands (JSON values, pt-BR snake case).</summary>
public static class RefusalReasons
{
    public const string SaldoInsuficiente = "saldo_insuficiente";
    public const string CircuitoBloqueado = "circuito_bloqueado";
    public const string DestinoInvalido = "destino_invalido";
    public const string DestinoNaoPermitido = "destino_nao_permitido";
    public const string CircuitoDesconhecido = "circuito_desconhecido";
    public const string ChamadaDesconhecida = "chamada_desconhecida";
    public const string ChamadaEncerrada = "chamada_encerrada";
    /// <summary>Inbound: the DID is unknown or not in service.</summary>
    public const string DidDesconhecido = "did_desconhecido";
    /// <summary>Inbound: the caller is on the circuit's blacklist (and its blacklist flag is on).</summary>
    public const string ChamadorBloqueado = "chamador_bloqueado";
    /// <summary>Inbound: a collect call (chamada a cobrar) to a DID that does not accept them.</summary>
    public const string ACobrarRecusada = "a_cobrar_recusada";
    /// <summary>The call id belongs to a call of another circuit (answered as 409 by the REST API).</summary>
    public const string ChamadaEmUso = "chamada_em_uso";
}

[GenerateSerializer, Immutable, Alias("Billing.AuthorizeRequest")]
public sealed record AuthorizeRequest(
    [property: Id(0)] string CallId,
    [property: Id(1)] string Destination,
    [property: Id(2)] CallDirection Direction,
    [property: Id(3)] string? Caller)
{
    /// <summary>Inbound only: the DID's routing (null for outbound calls and for switches that send no DID).</summary>
    [Id(4)] public InboundRoute? Inbound { get; init; }

    /// <summary>Inbound only: the switch flagged the call as collect (chamada a cobrar).</summary>
    [Id(5)] public bool Collect { get; init; }
}

[GenerateSerializer, Immutable, Alias("Billing.AuthorizeResult")]
public sealed record AuthorizeResult(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int MaxSeconds,
    [property: Id(2)] string? CallType,
    [property: Id(3)] decimal? PricePerMinute,
    [property: Id(4)] string? Reason)
{
    public static AuthorizeResult Refused(string reason) => new(false, 0, null, null, reason);

    /// <summary>Siga-me: the switch forwards the inbound call to this number (E.164); the leg is an outbound call of the circuit.</summary>
    [Id(5)] public string? ForwardTo { get; init; }

    /// <summary>
    /// Refused because the call id is in use by a call of another circuit (this account): the REST API answers 409,
    /// not a refusal, since the switch sent two calls with one id.
    /// </summary>
    [Id(6)] public string? ConflictAccount { get; init; }

    public static AuthorizeResult InUse(string account) => new(false, 0, null, null, RefusalReasons.ChamadaEmUso) { ConflictAccount = account };
}

[GenerateSerializer, Immutable, Alias("Billing.ExtendResult")]
public sealed record ExtendResult(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int MaxSeconds,
    [property: Id(2)] int TotalSeconds,
    [property: Id(3)] string? Reason);

/// <summary>The end of a call (CDR). Destination/direction/start are needed only when the call was not authorized first.</summary>
[GenerateSerializer, Immutable, Alias("Billing.CompleteRequest")]
public sealed record CompleteRequest
{
    [Id(0)] public required string CallId { get; init; }
    [Id(1)] public int DurationSeconds { get; init; }
    [Id(2)] public DateTimeOffset? AnsweredAt { get; init; }
    [Id(3)] public string? HangupCause { get; init; }
    [Id(4)] public string? Destination { get; init; }
    [Id(5)] public CallDirection Direction { get; init; } = CallDirection.Outbound;
    [Id(6)] public DateTimeOffset? StartedAt { get; init; }
    [Id(7)] public string? Caller { get; init; }
    [Id(8)] public string Source { get; init; } = "api";
}

public enum CompleteStatus
{
    Rated,
    Duplicate,
    UnknownCircuit,
    UnknownCall,
    Invalid,
    /// <summary>The call id is already billed to (or held by) another circuit: nothing charged; Reason names it.</summary>
    Conflict,
}

[GenerateSerializer, Immutable, Alias("Billing.CompleteResult")]
public sealed record CompleteResult
{
    [Id(0)] public CompleteStatus Status { get; init; }
    [Id(1)] public string CallId { get; init; } = "";
    [Id(2)] public string? CallType { get; init; }
    [Id(3)] public int BilledSeconds { get; init; }
    [Id(4)] public decimal Cost { get; init; }
    [Id(5)] public decimal Balance { get; init; }
    [Id(6)] public string? Reason { get; init; }
    [Id(7)] public string? Field { get; init; }
    /// <summary>This complete settled a reservation (the switch authorized the call), so a call route exists for it.</summary>
    [Id(8)] public bool Authorized { get; init; }

    public bool Ok => Status is CompleteStatus.Rated or CompleteStatus.Duplicate;
}

[GenerateSerializer, Immutable, Alias("Billing.BalanceView")]
public sealed record BalanceView(
    [property: Id(0)] decimal Balance,
    [property: Id(1)] decimal Reserved,
    [property: Id(2)] decimal Available,
    [property: Id(3)] decimal CreditLimit,
    [property: Id(4)] string Currency,
    [property: Id(5)] DateTimeOffset AsOf);

[GenerateSerializer, Immutable, Alias("Billing.CreditRequest")]
public sealed record CreditRequest(
    [property: Id(0)] decimal Amount,
    [property: Id(1)] string Description,
    [property: Id(2)] string IdempotencyKey,
    [property: Id(3)] string Actor);

[GenerateSerializer, Immutable, Alias("Billing.CreditResult")]
public sealed record CreditResult(
    [property: Id(0)] bool Found,
    [property: Id(1)] bool Duplicate,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] decimal Balance,
    [property: Id(4)] long Seq);

/// <summary>Open-period totals of one call type (for invoices and the portal).</summary>
[GenerateSerializer, Immutable, Alias("Billing.TypeTotals")]
public sealed record TypeTotals(
    [property: Id(0)] string CallType,
    [property: Id(1)] string Direction,
    [property: Id(2)] int Count,
    [property: Id(3)] long Seconds,
    [property: Id(4)] decimal Amount);

[GenerateSerializer, Immutable, Alias("Billing.PeriodTotals")]
public sealed record PeriodTotals(
    [property: Id(0)] string Period,
    [property: Id(1)] IReadOnlyList<TypeTotals> ByType,
    [property: Id(2)] decimal Total);
