using System.ComponentModel.DataAnnotations;
using Billing.GrainInterfaces.Circuits;

namespace Billing.Grains.Circuits;

/// <summary>
/// Hot-path settings (section <c>Billing:Calls</c>); the limits the API shares (max duration, route shards,
/// registration TTL) come from <see cref="CallLimits"/>. Ranges are checked at silo start.
/// </summary>
public sealed class CallOptions : CallLimits
{
    /// <summary>Seconds of credit granted per authorize/extend (like a Diameter CCR quota).</summary>
    [Range(1, 86_400)]
    public int ChunkSeconds { get; set; } = 300;

    /// <summary>A reservation whose call never completes is freed this long after its granted time ends.</summary>
    [Range(0, 86_400)]
    public int ReservationGraceSeconds { get; set; } = 120;

    /// <summary>Period of the circuit's housekeeping timer (reservation expiry, snapshot).</summary>
    [Range(1, 3600)]
    public int TimerSeconds { get; set; } = 10;

    /// <summary>A circuit re-reads its plan (all versions) this often; plan edits reach its calls within this delay.</summary>
    [Range(0, 86_400)]
    public int PlanCacheSeconds { get; set; } = 30;

    /// <summary>How many completed call ids an activation remembers in memory (older ones: the ledger's unique index).</summary>
    [Range(0, 10_000_000)]
    public int RememberCalls { get; set; } = 20_000;

    /// <summary>A call's route (call id → circuit) lives this long after authorize or the last extend (6 h).</summary>
    [Range(60, 7 * 86_400)]
    public int RouteTtlSeconds { get; set; } = 6 * 3600;

    /// <summary>After a successful complete the route is kept this long more, for retried completes (then the ledger answers).</summary>
    [Range(0, 86_400)]
    public int RouteKeepAfterCompleteSeconds { get; set; } = 120;

    /// <summary>Period of the route shards' pruning timer.</summary>
    [Range(1, 3600)]
    public int RoutePruneSeconds { get; set; } = 60;

    /// <summary>
    /// Oldest call timestamp (answeredAt/startedAt, a CDR's start) accepted, in days before now: older ones are
    /// typing or clock errors and would reopen long-closed periods.
    /// </summary>
    [Range(0, 3660)]
    public int TimestampPastDays { get; set; } = CallInput.DefaultPastDays;

    /// <summary>Latest call timestamp accepted, in days after now (clock skew of a switch).</summary>
    [Range(0, 366)]
    public int TimestampFutureDays { get; set; } = CallInput.DefaultFutureDays;
}
