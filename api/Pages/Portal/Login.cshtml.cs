using System.Security.Claims;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// Login with the circuit number + Senha Web. One generic message for every refusal (unknown circuit, wrong
/// password, <c>web</c> flag off, lockout), so nothing tells which part was wrong.
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(IClusterClient cluster, LoginThrottle throttle) : PageModel
{
    public const string GenericError =
        "Não foi possível entrar: circuito ou senha inválidos, ou acesso bloqueado por alguns minutos após várias tentativas.";

    [BindProperty] public string? Circuito { get; set; }
    [BindProperty] public string? Senha { get; set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var account = (Circuito ?? "").Trim();
        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        var key = CircuitKeys.IsValidAccount(account) ? account : "?";
        var ok = false;
        if (throttle.IsLocked(key, address))
        {
            Error = GenericError;
            return Page();
        }
        if (key != "?" && Senha is { Length: > 0 and <= 128 })
            ok = await cluster.Circuit(account).VerifyWebPassword(Senha);
        if (!ok)
        {
            throttle.Fail(key, address);
            Error = GenericError;
            return Page();
        }
        throttle.Succeed(account);
        var identity = new ClaimsIdentity(
            [new Claim(PortalSetup.AccountClaim, account), new Claim(ClaimTypes.Name, "portal:" + account)], PortalSetup.Scheme);
        await HttpContext.SignInAsync(PortalSetup.Scheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        return LocalRedirect("/portal");
    }
}
