using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin;

public sealed class IndexModel : AdminPageModel
{
    public IActionResult OnGet() => Redirect("/admin/clientes");
}
