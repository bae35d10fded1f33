using System.Globalization;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Administradores;

/// <summary>Admin users: list, add another admin, change one's own password.</summary>
public sealed class IndexModel(AdminUsers users, NpgsqlDataSource db) : AdminPageModel
{
    public sealed record Row(string Username, string Nome, DateTimeOffset? LastLogin, bool Locked, string CreatedBy);

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

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var list = new List<Row>();
        await using var cmd = db.CreateCommand(
            "SELECT username, nome, last_login_at, coalesce(locked_until > now(), false), created_by FROM admin_users WHERE NOT disabled ORDER BY username");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Row(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), r.GetBoolean(3), r.GetString(4)));
        Rows = list;
    }

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
        Flash = "Senha alterada.";
        return RedirectToPage();
    }
}
