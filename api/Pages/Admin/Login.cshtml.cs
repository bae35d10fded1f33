using System.Security.Claims;
using Billing.Api.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
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
        var ip = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "desconhecido";
        var outcome = await users.LoginAsync(Usuario, Senha, ip, ct);
        switch (outcome.Status)
        {
            case LoginStatus.Ok:
                var u = outcome.User!;
                var identity = new ClaimsIdentity(
                    [
                        new Claim(ClaimTypes.Name, u.Username),
                        new Claim(AdminWeb.UserIdClaim, u.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ], AdminWeb.Scheme);
                await HttpContext.SignInAsync(AdminWeb.Scheme, new ClaimsPrincipal(identity),
                    new AuthenticationProperties { IsPersistent = false });
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
        Response.StatusCode = outcome.Status == LoginStatus.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status200OK;
        return Page();
    }
}
