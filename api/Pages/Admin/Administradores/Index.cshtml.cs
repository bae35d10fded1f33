using System.Globalization;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Administradores;

/// <summary>Admin users: list, add another admin, change one's own password.</summary>
public sealed class IndexModel(AdminUsers users, WebSessions sessions) : AdminPageModel
{
    [BindProperty]
    public string? NovoUsuario { get; set; }

    [BindProperty]
    public string? NovoNome { get; set; }

    [BindProperty]
    public string? NovaSenha { get; set; }

    [BindProperty]
    public string? SenhaAtual { get; set; }

    [BindProperty]
    public string? MinhaNovaSenha { get; set; }

    public IReadOnlyList<AdminUserRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct) => Rows = await users.ListAsync(ct);

    public async Task<IActionResult> OnPostCriarAsync(CancellationToken ct)
    {
        var problem = await users.CreateAsync(NovoUsuario, NovoNome, NovaSenha, User.Identity?.Name ?? "desconhecido", ct: ct);
        if (problem is { } p)
        {
            Errors["novo." + p.Field] = [p.Message];
            await LoadAsync(ct);
            return Page();
        }
        Flash = "Administrador " + AdminUsers.Normalize(NovoUsuario) + " criado.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSenhaAsync(CancellationToken ct)
    {
        var id = long.Parse(User.FindFirst(AdminWeb.UserIdClaim)!.Value, CultureInfo.InvariantCulture);
        var problem = await users.ChangePasswordAsync(id, SenhaAtual, MinhaNovaSenha, ct);
        if (problem is { } p)
        {
            Errors["senha." + p.Field] = [p.Message];
            await LoadAsync(ct);
            return Page();
        }
        // this session goes on with the new password's stamp; the admin's other sessions end
        sessions.ForgetAdmin(id);
        if (await users.StampAsync(id, ct) is { } stamp)
            await Pages.Admin.LoginModel.SignInAsync(HttpContext, new AdminUser(id, User.Identity?.Name ?? "", "", stamp));
        Flash = "Senha alterada.";
        return RedirectToPage();
    }
}
