using System.Globalization;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Billing.Api.Web;

/// <summary>
/// Session stamps of the web admin and the portal: the login cookie carries the stamp of the password it was issued
/// for (<see cref="WebPassword.Stamp"/>); every request compares it with the current one (cached for
/// <see cref="WebSessionOptions.RecheckSeconds"/>), so a new password, a circuit whose <c>web</c> flag is off (or that
/// was deleted) and a disabled admin end the open sessions.
/// </summary>
public sealed class WebSessions(IMemoryCache cache, IOptions<WebSessionOptions> options, AdminUsers admins, IClusterClient cluster)
{
    public const string StampClaim = "billing:stamp";

    private TimeSpan Ttl => TimeSpan.FromSeconds(Math.Max(0, options.Value.RecheckSeconds));

    public Task<string?> AdminStampAsync(long id, CancellationToken ct) =>
        CachedAsync("admin:" + id.ToString(CultureInfo.InvariantCulture), () => admins.StampAsync(id, ct));

    public Task<string?> PortalStampAsync(string account) =>
        CachedAsync("portal:" + account, async () => (await cluster.Circuit(account).GetWebLogin())?.Stamp);

    /// <summary>Drops this host's cached stamp (after a change made through this host).</summary>
    public void ForgetAdmin(long id) => cache.Remove("session:admin:" + id.ToString(CultureInfo.InvariantCulture));

    public void ForgetPortal(string account) => cache.Remove("session:portal:" + account);

    private async Task<string?> CachedAsync(string key, Func<Task<string?>> read)
    {
        var ttl = Ttl;
        if (ttl <= TimeSpan.Zero) return await read();
        key = "session:" + key;
        if (cache.TryGetValue(key, out string? known)) return known;
        var current = await read();
        cache.Set(key, current, ttl);
        return current;
    }

    /// <summary>Cookie event of the web admin: the admin must still exist, be enabled and have the same password.</summary>
    public static async Task ValidateAdminAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessions = context.HttpContext.RequestServices.GetRequiredService<WebSessions>();
        var stamp = context.Principal?.FindFirst(StampClaim)?.Value;
        var ok = stamp is not null
            && long.TryParse(context.Principal!.FindFirst(AdminWeb.UserIdClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && string.Equals(await sessions.AdminStampAsync(id, context.HttpContext.RequestAborted), stamp, StringComparison.Ordinal);
        if (!ok) await RejectAsync(context, AdminWeb.Scheme);
    }

    /// <summary>Cookie event of the portal: the circuit must still exist, have its <c>web</c> flag on and the same Senha Web.</summary>
    public static async Task ValidatePortalAsync(CookieValidatePrincipalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessions = context.HttpContext.RequestServices.GetRequiredService<WebSessions>();
        var stamp = context.Principal?.FindFirst(StampClaim)?.Value;
        var account = context.Principal?.Account();
        var ok = stamp is not null && account is not null && CircuitKeys.IsValidAccount(account)
            && string.Equals(await sessions.PortalStampAsync(account), stamp, StringComparison.Ordinal);
        if (!ok) await RejectAsync(context, PortalSetup.Scheme);
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context, string scheme)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(scheme);
    }
}
