using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// A circuit (SIP account), key <c>ckt:&lt;account&gt;</c>. Holds the registration data and, in memory,
/// the live balance, the reservations of calls in progress and the open period totals. Rates every
/// call of this circuit; every rated call and credit is in the PostgreSQL ledger before the answer
/// leaves. State = snapshot (grain storage, written now and then) + ledger rows after it.
/// <c>actor</c> on every admin command is who asks (key or user), recorded in the audit log.
/// </summary>
[Alias("Billing.ICircuitGrain")]
public interface ICircuitGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<CommandResult> Create(CircuitData data, string actor);

    [Alias("Update")]
    Task<CommandResult> Update(CircuitData data, string actor);

    /// <summary>Null when the circuit does not exist (or was deleted).</summary>
    [Alias("Get")]
    Task<CircuitView?> Get();

    /// <summary>Refused (Conflict) while calls are in progress or invoices are not closed; history is kept and the number stays taken.</summary>
    [Alias("Delete")]
    Task<CommandResult> Delete(string actor);

    /// <summary>
    /// Takes back a creation that never went into service (a failed "Novo Lote" rolls back with it): the circuit's row
    /// and snapshot are removed and its number can be created again. Conflict when anything refers to it already
    /// (ledger rows or balance, calls in progress or credit holds, invoices, DIDs, billing contracts, moves): such a
    /// circuit is part of the books and can only be deleted (<see cref="Delete"/>, which keeps its number taken).
    /// NotFound when it does not exist or was deleted. Audited as <c>undo-create</c>.
    /// </summary>
    [Alias("UndoCreate")]
    Task<CommandResult> UndoCreate(string actor);

    [Alias("Move")]
    Task<CommandResult> Move(long customerId, string actor);

    [Alias("SetWebPassword")]
    Task<CommandResult> SetWebPassword(string password, string actor);

    /// <summary>
    /// What the portal needs to check a login and keep a session: the stored Senha Web hash and its session stamp;
    /// null when the circuit does not exist, has no Senha Web or its <c>web</c> flag is off. The caller verifies the
    /// password (PBKDF2 is slow on purpose: it never runs in this grain's turn, so the circuit's calls never wait behind logins).
    /// </summary>
    [Alias("GetWebLogin")]
    Task<WebLogin?> GetWebLogin();

    /// <summary>
    /// Senha SIP: kept only as HA1 = MD5(account:realm:password) with the silo's realm (<see cref="SipPassword"/>);
    /// a bad password is Invalid on field <c>sipPassword</c>.
    /// </summary>
    [Alias("SetSipPassword")]
    Task<CommandResult> SetSipPassword(string password, string actor);

    /// <summary>
    /// The HA1 a switch checks this circuit's digest with, for <paramref name="realm"/>; null when the circuit does not
    /// exist, has no Senha SIP, or it was set for another realm (the switch must not learn which).
    /// </summary>
    [Alias("GetSipHa1")]
    Task<string?> GetSipHa1(string realm);

    /// <summary>A REGISTER (or a switch's report): where the circuit is; <c>ExpiresSeconds</c> 0 makes it Offline.</summary>
    [Alias("ReportRegistration")]
    Task<CommandResult> ReportRegistration(SipRegistration registration);

    /// <summary>The round trip of an answered keepalive OPTIONS: the "OK (N ms)" of the status.</summary>
    [Alias("ReportKeepalive")]
    Task<CommandResult> ReportKeepalive(int latencyMs);

    [Alias("Authorize")]
    Task<AuthorizeResult> Authorize(AuthorizeRequest request);

    [Alias("Extend")]
    Task<ExtendResult> Extend(string callId);

    [Alias("Complete")]
    Task<CompleteResult> Complete(CompleteRequest request);

    [Alias("GetBalance")]
    Task<BalanceView?> GetBalance();

    /// <summary>The low-balance thresholds in force, the available balance and which threshold it is below (null: no circuit).</summary>
    [Alias("GetLowBalance")]
    Task<LowBalanceStatus?> GetLowBalance();

    [Alias("Credit")]
    Task<CreditResult> Credit(CreditRequest request);

    [Alias("GetPeriodTotals")]
    Task<PeriodTotals?> GetPeriodTotals(string period);

    /// <summary>Blacklisted callers (E.164), null when the circuit does not exist.</summary>
    [Alias("GetBlacklist")]
    Task<IReadOnlyList<string>?> GetBlacklist();

    /// <summary>Adds callers (normalized to E.164 from the circuit's DDD; duplicates ignored; any invalid number → Invalid, nothing added).</summary>
    [Alias("AddToBlacklist")]
    Task<BlacklistResult> AddToBlacklist(IReadOnlyList<string> numbers, string actor);

    [Alias("RemoveFromBlacklist")]
    Task<BlacklistResult> RemoveFromBlacklist(string number, string actor);

    /// <summary>Could this circuit dial <paramref name="destination"/> itself (valid, priced by its plan, not blocked)?</summary>
    [Alias("CheckDialable")]
    Task<DialCheck> CheckDialable(string destination);
}
