using System.Security.Claims;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Logins;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// Login with the circuit number + Senha Web. One generic message for every refusal (unknown circuit, wrong
/// password, <c>web</c> flag off, lockout), so nothing tells which part was wrong. The password is verified here, in
/// the API host, against the hash the circuit grain hands out (<see cref="ICircuitGrain.GetWebLogin"/>): PBKDF2 never
/// runs in the circuit grain, whose calls must not wait behind logins.
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(IClusterClient cluster, LoginGuard guard) : PageModel
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
        var valid = CircuitKeys.IsValidAccount(account); // digits only: no control character reaches a grain key
        if (!valid) Circuito = null; // not echoed back
        var attempt = await guard.TryBeginAsync(valid ? LoginKeys.Portal(account) : null, LoginGuard.Address(HttpContext));
        if (attempt is null)
        {
            Error = GenericError;
            return Page();
        }
        var login = valid && Senha is { Length: > 0 and <= 128 } ? await cluster.Circuit(account).GetWebLogin() : null;
        // the dummy hash when there is nothing to compare: every refusal costs one PBKDF2, like a wrong password
        var ok = WebPassword.Verify(Senha ?? "", login?.PasswordHash ?? WebPassword.Dummy) && login is not null;
        await attempt.EndAsync(ok);
        if (!ok)
        {
            Error = GenericError;
            return Page();
        }
        await SignInAsync(HttpContext, account, login!.Stamp);
        return LocalRedirect("/portal");
    }

    /// <summary>Issues the portal cookie with the session stamp of the circuit's current Senha Web.</summary>
    public static Task SignInAsync(HttpContext http, string account, string stamp)
    {
        ArgumentNullException.ThrowIfNull(http);
        var identity = new ClaimsIdentity(
            [
                new Claim(PortalSetup.AccountClaim, account),
                new Claim(ClaimTypes.Name, "portal:" + account),
                new Claim(WebSessions.StampClaim, stamp),
            ], PortalSetup.Scheme);
        return http.SignInAsync(PortalSetup.Scheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
    }
}
