using Billing.Api.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin;

public sealed class SairModel : AdminPageModel
{
    public IActionResult OnGet() => RedirectToPage("/Admin/Clientes/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(AdminWeb.Scheme);
        return Redirect("/admin/login");
    }
}
