using System.Security.Claims;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Pages.Admin;

/// <summary>Admin login: one generic error for a wrong user or password; throttled after repeated failures.</summary>
[AllowAnonymous]
public sealed class LoginModel(AdminUsers users) : PageModel
{
    [BindProperty]
    public string? Usuario { get; set; }

    [BindProperty]
    public string? Senha { get; set; }

    [BindProperty(SupportsGet = true, Name = "voltar")]
    public string? Voltar { get; set; }

    public string? Problem { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await users.LoginAsync(Usuario, Senha, LoginGuard.Address(HttpContext), ct);
        switch (outcome.Status)
        {
            case LoginStatus.Ok:
                await SignInAsync(HttpContext, outcome.User!);
                return LocalRedirect(Voltar is { Length: > 0 } v && Url.IsLocalUrl(v) && v.StartsWith("/admin", StringComparison.OrdinalIgnoreCase)
                    ? v : "/admin/clientes");
            case LoginStatus.Throttled:
                Problem = "Muitas tentativas sem sucesso. Aguarde alguns minutos e tente de novo.";
                break;
            default:
                Problem = "Usuário ou senha inválidos.";
                break;
        }
        Senha = null;
        if (Usuario is { } typed && InputRules.Text(typed, AdminUsers.MaxUsernameLength) is not null) Usuario = null; // not echoed back
        Response.StatusCode = outcome.Status == LoginStatus.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status200OK;
        return Page();
    }

    /// <summary>Issues the admin cookie, with the session stamp of the admin's current password.</summary>
    public static Task SignInAsync(HttpContext http, AdminUser user)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(user);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.Username),
                new Claim(AdminWeb.UserIdClaim, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim(WebSessions.StampClaim, user.Stamp),
            ], AdminWeb.Scheme);
        return http.SignInAsync(AdminWeb.Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
    }
}
