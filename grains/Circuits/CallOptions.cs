using Billing.GrainInterfaces.Circuits;

namespace Billing.Grains.Circuits;

/// <summary>Hot-path settings (section <c>Billing:Calls</c>).</summary>
public sealed class CallOptions
{
    /// <summary>Seconds of credit granted per authorize/extend (like a Diameter CCR quota).</summary>
    public int ChunkSeconds { get; set; } = 300;

    /// <summary>A reservation whose call never completes is freed this long after its granted time ends.</summary>
    public int ReservationGraceSeconds { get; set; } = 120;

    /// <summary>Write the grain snapshot after this many new ledger rows (and on a timer, and on deactivation).</summary>
    public int SnapshotEveryRows { get; set; } = 500;

    /// <summary>A call longer than this is refused as absurd (24 h).</summary>
    public int MaxDurationSeconds { get; set; } = 86_400;

    /// <summary>"OK (n ms)" while the last registration report is younger than this.</summary>
    public int RegistrationTtlSeconds { get; set; } = 180;

    /// <summary>Period of the circuit's housekeeping timer (reservation expiry, snapshot).</summary>
    public int TimerSeconds { get; set; } = 10;

    /// <summary>A circuit re-reads its plan (all versions) this often; plan edits reach its calls within this delay.</summary>
    public int PlanCacheSeconds { get; set; } = 30;

    /// <summary>How many completed call ids an activation remembers in memory (older ones: the ledger's unique index).</summary>
    public int RememberCalls { get; set; } = 20_000;

    /// <summary>
    /// Number of call-route shard grains (<c>Billing:Calls:RouteShards</c>); the API reads the same key and must
    /// agree. Changing it strands the routes of calls in progress (their completes then need <c>account</c>).
    /// </summary>
    public int RouteShards { get; set; } = CallRoutes.DefaultShards;

    /// <summary>A call's route (call id → circuit) lives this long after authorize or the last extend (6 h).</summary>
    public int RouteTtlSeconds { get; set; } = 6 * 3600;

    /// <summary>After a successful complete the route is kept this long more, for retried completes (then the ledger answers).</summary>
    public int RouteKeepAfterCompleteSeconds { get; set; } = 120;

    /// <summary>Period of the route shards' pruning timer.</summary>
    public int RoutePruneSeconds { get; set; } = 60;

    /// <summary>
    /// Oldest call timestamp (answeredAt/startedAt, a CDR's start) accepted, in days before now: older ones are
    /// typing or clock errors and would reopen long-closed periods.
    /// </summary>
    public int TimestampPastDays { get; set; } = CallInput.DefaultPastDays;

    /// <summary>Latest call timestamp accepted, in days after now (clock skew of a switch).</summary>
    public int TimestampFutureDays { get; set; } = CallInput.DefaultFutureDays;
}

/// <summary>SIP settings of the circuits (section <c>Billing:Sip</c>).</summary>
public sealed class SipOptions
{
    /// <summary>
    /// Digest realm the Senha SIP's HA1 is made with (<see cref="SipPassword.RealmConfigKey"/>); Kamailio's
    /// BILLING_SIP_REALM must be the same. Changing it means setting the SIP passwords again.
    /// </summary>
    public string Realm { get; set; } = SipPassword.DefaultRealm;
}
