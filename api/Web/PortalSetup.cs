using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Billing.Api.Web;

/// <summary>
/// Customer portal (<c>/portal</c>): its own cookie scheme and policy, separate from the API keys. A portal
/// session is one circuit (SIP account) logged in with its Senha Web; every page loads the circuit live
/// and enforces its Gestão Web flags (see <see cref="Pages.Portal.PortalPageModel"/>).
/// </summary>
public static class PortalSetup
{
    public const string Scheme = "portal";
    public const string Policy = "portal";
    public const string AccountClaim = "portal_account";

    public static IServiceCollection AddBillingPortal(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = "billing_portal";
                o.Cookie.Path = "/portal";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/portal/login";
                o.LogoutPath = "/portal/sair";
                o.AccessDeniedPath = "/portal/login";
                o.ExpireTimeSpan = TimeSpan.FromMinutes(30);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = WebSessions.ValidatePortalAsync;
                o.Events.OnRedirectToAccessDenied = ctx =>
                {
                    ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(AccountClaim));
        services.AddScoped<PortalData>();
        return services;
    }

    public static string? Account(this ClaimsPrincipal user) =>
        user?.FindFirst(AccountClaim)?.Value;
}
