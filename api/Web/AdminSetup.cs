using Billing.Api.Web;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Hosting;

/// <summary>
/// Web admin (<c>/admin</c>): people log in with their own user and password (table <c>admin_users</c>) and get the
/// cookie of the <see cref="AdminWeb.Scheme"/> scheme; every page under <c>Pages/Admin</c> requires the
/// <see cref="AdminWeb.Policy"/> policy (the login page excepted). The API keys stay for machines.
/// </summary>
public static class AdminSetup
{
    public static WebApplicationBuilder AddBillingAdminWeb(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddAuthentication()
            .AddCookie(AdminWeb.Scheme, o =>
            {
                o.Cookie.Name = "billing-admin";
                o.Cookie.Path = "/admin";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/admin/login";
                o.LogoutPath = "/admin/sair";
                o.AccessDeniedPath = "/admin/login";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.ReturnUrlParameter = "voltar";
                o.Events.OnValidatePrincipal = WebSessions.ValidateAdminAsync;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminWeb.Policy, p => p
                .AddAuthenticationSchemes(AdminWeb.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(AdminWeb.UserIdClaim));
        // belt and braces: every page model also carries [Authorize(Policy = AdminWeb.Policy)] itself
        services.Configure<RazorPagesOptions>(o =>
        {
            o.Conventions.AuthorizeFolder("/Admin", AdminWeb.Policy);
            o.Conventions.AllowAnonymousToPage("/Admin/Login");
        });
        services.AddSingleton<AdminUsers>();
        services.AddHostedService<FirstAdminBootstrap>();
        return builder;
    }
}
