using Billing.Api.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Pages.Portal;

/// <summary>Sair (POST only, with the antiforgery token).</summary>
[Authorize(Policy = PortalSetup.Policy)]
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/portal");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(PortalSetup.Scheme);
        return LocalRedirect("/portal/login");
    }
}
