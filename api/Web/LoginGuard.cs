using Billing.GrainInterfaces.Logins;

namespace Billing.Api.Web;

/// <summary>
/// Login lockout, shared by every API host: each attempt first takes a ticket from the guard grain of the login name
/// (<c>login:admin:&lt;name&gt;</c> / <c>login:portal:&lt;account&gt;</c>) and of the client address (<c>login:ip:&lt;ip&gt;</c>),
/// checks the password only when both granted one, and then ends both with the outcome. Limits in <see cref="LoginKeys"/>:
/// 5 failures of one login name (known or not) or 20 from one address inside 15 min lock it for 15 min.
/// </summary>
public sealed class LoginGuard(IClusterClient cluster)
{
    /// <summary>
    /// A granted attempt, or null while the login name or the address is locked (or all its attempts are in flight).
    /// <paramref name="loginKey"/> null: the name is not a valid login (only the address counts).
    /// </summary>
    public async Task<LoginAttempt?> TryBeginAsync(string? loginKey, string address)
    {
        var ip = cluster.GetGrain<ILoginGuardGrain>(LoginKeys.Address(address));
        var name = loginKey is null ? null : cluster.GetGrain<ILoginGuardGrain>(loginKey);
        var ipTask = ip.TryBegin();
        var nameTask = name?.TryBegin() ?? Task.FromResult(new LoginTicket(true, Guid.Empty, null));
        await Task.WhenAll(ipTask, nameTask);
        var (ipTicket, nameTicket) = (ipTask.Result, nameTask.Result);
        if (ipTicket.Granted && nameTicket.Granted) return new LoginAttempt(ip, ipTicket.Id, name, nameTicket.Id);
        if (ipTicket.Granted) await ip.Release(ipTicket.Id);
        if (nameTicket.Granted && name is not null) await name.Release(nameTicket.Id);
        return null;
    }

    /// <summary>The client address a login counts against (behind a configured proxy: the forwarded one).</summary>
    public static string Address(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Connection.RemoteIpAddress?.ToString() ?? "desconhecido";
    }
}

/// <summary>One password check under the tickets of <see cref="LoginGuard"/>; end it exactly once.</summary>
public sealed class LoginAttempt(ILoginGuardGrain address, Guid addressTicket, ILoginGuardGrain? name, Guid nameTicket)
{
    /// <summary>Records the outcome; true when the login name (or the address) is locked now.</summary>
    public async Task<bool> EndAsync(bool succeeded)
    {
        var ip = address.End(addressTicket, succeeded);
        var login = name?.End(nameTicket, succeeded) ?? Task.FromResult(false);
        return (await ip) | (await login);
    }
}
