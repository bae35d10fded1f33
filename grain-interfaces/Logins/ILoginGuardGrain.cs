namespace Billing.GrainInterfaces.Logins;

/// <summary>Answer of <see cref="ILoginGuardGrain.TryBegin"/>: a granted attempt carries the ticket to end it with.</summary>
[GenerateSerializer, Immutable, Alias("Billing.LoginTicket")]
public sealed record LoginTicket(
    [property: Id(0)] bool Granted,
    [property: Id(1)] Guid Id,
    [property: Id(2)] DateTimeOffset? LockedUntil);

/// <summary>What a guard knows (for the admin list and tests).</summary>
[GenerateSerializer, Immutable, Alias("Billing.LoginGuardView")]
public sealed record LoginGuardView(
    [property: Id(0)] int Failures,
    [property: Id(1)] int InFlight,
    [property: Id(2)] DateTimeOffset? LockedUntil);

/// <summary>
/// Lockout counter of one login name or one client address, shared by every API host (keys from
/// <see cref="LoginKeys"/>). A password may be checked only under a granted ticket: failures plus attempts in
/// flight never exceed the limit, so a burst of parallel guesses gets at most the allowed number. In memory
/// (a silo restart forgets the counters; they live at most one window anyway).
/// </summary>
[Alias("Billing.ILoginGuardGrain")]
public interface ILoginGuardGrain : IGrainWithStringKey
{
    /// <summary>Reserves one attempt, or refuses while locked or while the remaining attempts are all in flight.</summary>
    [Alias("TryBegin")]
    Task<LoginTicket> TryBegin();

    /// <summary>Ends a granted attempt: a failure counts; a success clears a login name's failures. True when now locked.</summary>
    [Alias("End")]
    Task<bool> End(Guid ticket, bool succeeded);

    /// <summary>Gives a granted attempt back without counting it (the other guard of the same login refused).</summary>
    [Alias("Release")]
    Task Release(Guid ticket);

    [Alias("Get")]
    Task<LoginGuardView> Get();
}

/// <summary>Keys and limits of the login guards.</summary>
public static class LoginKeys
{
    public const string Prefix = "login:";

    /// <summary>Failures of one login name (known or not) inside <see cref="Window"/> before it is locked.</summary>
    public const int MaxFailures = 5;

    /// <summary>Failures from one client address inside <see cref="Window"/> before it is locked.</summary>
    public const int MaxFailuresPerAddress = 20;

    /// <summary>Failures older than this are forgotten; a lock lasts this long.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>An attempt whose host never ended it (crash, timeout) stops holding a slot after this.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(1);

    public static string Admin(string normalizedName) => Prefix + "admin:" + normalizedName;

    public static string Portal(string account) => Prefix + "portal:" + account;

    public static string Address(string address) => Prefix + "ip:" + address;

    public static int LimitOf(string key) =>
        key.StartsWith(Prefix + "ip:", StringComparison.Ordinal) ? MaxFailuresPerAddress : MaxFailures;

    public static bool IsAddress(string key) => key.StartsWith(Prefix + "ip:", StringComparison.Ordinal);
}
