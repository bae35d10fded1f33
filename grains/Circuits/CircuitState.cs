using Billing.GrainInterfaces.Circuits;

namespace Billing.Grains.Circuits;

/// <summary>Totals of one (call type, direction) in one period.</summary>
[GenerateSerializer, Alias("Billing.TotalsAcc")]
public sealed class TotalsAcc
{
    [Id(0)] public int Count { get; set; }
    [Id(1)] public long Seconds { get; set; }
    [Id(2)] public decimal Amount { get; set; }
}

/// <summary>
/// The persisted snapshot of a circuit: registration data, and the balance and period totals of every
/// ledger row up to <see cref="LastSeq"/>. Rows after it are replayed from the ledger on activation.
/// Written on admin changes and now and then (never per call).
/// </summary>
[GenerateSerializer, Alias("Billing.CircuitState")]
public sealed class CircuitState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Deleted { get; set; }
    [Id(2)] public CircuitData Data { get; set; } = new();
    [Id(3)] public string? WebPasswordHash { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public decimal Balance { get; set; }
    [Id(6)] public long LastSeq { get; set; }
    /// <summary>period (yyyy-MM) → "callType|direction" → totals.</summary>
    [Id(7)] public Dictionary<string, Dictionary<string, TotalsAcc>> Periods { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Blacklisted callers (E.164), refused on inbound calls while the circuit's <c>blacklist</c> flag is on.</summary>
    [Id(8)] public List<string> Blacklist { get; set; } = [];
    /// <summary>Senha SIP as HA1 = MD5(account:realm:password) (<see cref="SipPassword"/>), never the password.</summary>
    [Id(9)] public string? SipHa1 { get; set; }
    /// <summary>The realm <see cref="SipHa1"/> was made with: another realm cannot use it.</summary>
    [Id(10)] public string? SipRealm { get; set; }
}
