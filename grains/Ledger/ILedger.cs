namespace Billing.Grains.Ledger;

public enum LedgerKind
{
    Call,
    Credit,
}

/// <summary>One row of the ledger table: a rated call or a credit/adjustment of a circuit.</summary>
public sealed record LedgerEntry
{
    public required string Account { get; init; }
    public required long Seq { get; init; }
    public required LedgerKind Kind { get; init; }
    /// <summary>Signed: a credit is positive, a call's charge negative.</summary>
    public required decimal Amount { get; init; }
    public required decimal BalanceAfter { get; init; }
    public string? CallId { get; init; }
    public string? IdempotencyKey { get; init; }
    public string? Description { get; init; }
    public string? Direction { get; init; }
    public string? Destination { get; init; }
    public string? Normalized { get; init; }
    public string? CallType { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? AnsweredAt { get; init; }
    public int? DurationSeconds { get; init; }
    public int? BilledSeconds { get; init; }
    public decimal? PricePerMinute { get; init; }
    public string? HangupCause { get; init; }
    public string? Caller { get; init; }
    public string? Period { get; init; }
    public string Source { get; init; } = "api";
    public required DateTimeOffset CreatedAt { get; init; }
    public string? Actor { get; init; }
    /// <summary>Inbound calls through a reseller's DID: the reseller charged for the completion of this call.</summary>
    public long? ResellerId { get; init; }
    /// <summary>What <see cref="ResellerId"/> pays for this call (rounded once to centavos); not part of the circuit's balance.</summary>
    public decimal? ResellerAmount { get; init; }
    /// <summary>The DID (E.164) an inbound call came in through.</summary>
    public string? Did { get; init; }
}

public enum AppendOutcome
{
    /// <summary>The row is committed (durable).</summary>
    Written,
    /// <summary>A row with the same call id (or credit idempotency key) already exists: nothing written.</summary>
    Duplicate,
    /// <summary>The (account, seq) pair is taken: another activation wrote for this circuit. Nothing written.</summary>
    SeqConflict,
    /// <summary>
    /// The database refused this row itself (a value it cannot hold): nothing written, and no other row of its
    /// group commit was affected. The caller answers its own request with an error and goes on.
    /// </summary>
    Refused,
}

/// <summary>
/// A durable credit hold: what an authorized call has been granted and not yet settled. Written before the
/// authorize/extend answer leaves, so a circuit that restarts (kill -9, failover) reloads the holds still open
/// and never grants the same credit twice. <see cref="Data"/> is the rest of the reservation (destination,
/// tariff, route…) as JSON, owned by the circuit grain.
/// </summary>
public sealed record CallHold
{
    public required string Account { get; init; }
    public required string CallId { get; init; }
    public required decimal Amount { get; init; }
    public required int GrantedSeconds { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public required string Data { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// The durable ledger. <see cref="AppendAsync"/> completes only when the row is committed; writes of many
/// grains are grouped into one round trip (group commit).
/// </summary>
public interface ILedger
{
    Task<AppendOutcome> AppendAsync(LedgerEntry entry);

    Task<IReadOnlyList<LedgerEntry>> ReadAfterAsync(string account, long afterSeq, CancellationToken ct = default);

    Task<LedgerEntry?> FindCallAsync(string callId, CancellationToken ct = default);

    Task<LedgerEntry?> FindCreditAsync(string account, string idempotencyKey, CancellationToken ct = default);

    /// <summary>
    /// Appends a version of a call's hold (authorize: the first; extend: a larger one), group-committed like ledger
    /// rows; completes when it is durable. <see cref="AppendOutcome.Written"/> or <see cref="AppendOutcome.Refused"/>.
    /// Holds are never updated or deleted per call: a call's hold ends when its ledger row exists or it expires,
    /// and expired versions are purged in bulk.
    /// </summary>
    Task<AppendOutcome> HoldAsync(CallHold hold);

    /// <summary>
    /// The holds of a circuit still open at <paramref name="now"/>: the latest version of each call's hold, not
    /// expired, whose call has no ledger row.
    /// </summary>
    Task<IReadOnlyList<CallHold>> ReadHoldsAsync(string account, DateTimeOffset now, CancellationToken ct = default);

    /// <summary>The circuit holding an open (unexpired) hold for the call, if any: routes a call whose route was lost.</summary>
    Task<string?> FindHoldAccountAsync(string callId, DateTimeOffset now, CancellationToken ct = default);
}
