using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Billing.Api.Infrastructure;

/// <summary>
/// Admin auth a browser can do, for <c>/dashboard</c>: the admin key as HTTP Basic password (any user name), or
/// the usual <c>Authorization: Bearer &lt;admin key&gt;</c>. The challenge is <c>WWW-Authenticate: Basic</c>, so a
/// browser asks for the key once and resends it on the dashboard's own requests. Only the admin key is accepted.
/// </summary>
public sealed class DashboardAuthHandler(
    IOptionsMonitor<BillingKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<BillingKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminBasic";
    public const string Realm = "Billing - Orleans Dashboard";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var adminKey = OptionsMonitor.Get(ApiKeyHandler.SchemeName).AdminKey;
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        string presented;
        if (string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("cabeçalho Basic inválido"));
            }
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            presented = colon < 0 ? decoded : decoded[(colon + 1)..];
        }
        else if (string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            presented = header.Parameter.Trim();
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!SameKey(presented, adminKey))
            return Task.FromResult(AuthenticateResult.Fail("chave inválida"));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "key:admin"), new Claim(ClaimTypes.Role, Roles.Admin)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static bool SameKey(string presented, string expected)
    {
        if (string.IsNullOrEmpty(expected)) return false;
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>/metrics</c>: open to a scraper on the same host (loopback connection, no proxy header), otherwise the
/// admin key. A request that came through a reverse proxy on the same host (X-Forwarded-For present) needs the key.
/// </summary>
public sealed class LoopbackOrAdminRequirement : AuthorizationHandler<LoopbackOrAdminRequirement>, IAuthorizationRequirement
{
    public const string Policy = "metrics";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, LoopbackOrAdminRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.IsInRole(Roles.Admin) || (context.Resource is HttpContext http && IsLocal(http)))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    public static bool IsLocal(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var remote = http.Connection.RemoteIpAddress;
        return remote is not null && IPAddress.IsLoopback(remote) && !http.Request.Headers.ContainsKey("X-Forwarded-For");
    }
}
