using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Billing.Api.Infrastructure;

/// <summary>Keys of the two machine clients: the operator's admin tooling and the softswitch.</summary>
public sealed class BillingKeyOptions : AuthenticationSchemeOptions
{
    public string AdminKey { get; set; } = "";
    public string SwitchKey { get; set; } = "";
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Switch = "switch";
}

public static class Policies
{
    public const string Admin = "admin";
    public const string Switch = "switch";
    public const string AdminOrSwitch = "admin-or-switch";
}

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the admin key (BILLING_ADMIN_KEY) grants the admin role, the
/// switch key (BILLING_SWITCH_KEY) the switch role. Keys are compared in constant time.
/// </summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<BillingKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IProblemDetailsService problems)
    : AuthenticationHandler<BillingKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());
        var presented = header["Bearer ".Length..].Trim();
        string? role = null;
        if (Matches(presented, Options.AdminKey)) role = Roles.Admin;
        else if (Matches(presented, Options.SwitchKey)) role = Roles.Switch;
        if (role is null)
            return Task.FromResult(AuthenticateResult.Fail("chave inválida"));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, $"key:{role}"), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(
            new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static bool Matches(string presented, string expected)
    {
        if (string.IsNullOrEmpty(expected)) return false;
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = 401,
                Title = "Não autenticado",
                Detail = "Envie o cabeçalho 'Authorization: Bearer <chave>' com uma chave válida.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = 403,
                Title = "Acesso negado",
                Detail = "Esta chave não tem permissão para este recurso.",
            },
        });
    }
}
