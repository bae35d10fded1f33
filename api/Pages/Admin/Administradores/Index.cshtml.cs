using System.Globalization;
using Billing.Api.Web;
using Billing.GrainInterfaces.Logins;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Administradores;

/// <summary>Admin users: list, add another admin, change one's own password.</summary>
public sealed class IndexModel(AdminUsers users, NpgsqlDataSource db, IClusterClient cluster, WebSessions sessions) : AdminPageModel
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
            "SELECT username, nome, last_login_at, created_by FROM admin_users WHERE NOT disabled ORDER BY username");
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                list.Add(new Row(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), false, r.GetString(3)));
        }
        // the lockout lives in the login guard grains (shared by every API host)
        var guards = await Task.WhenAll(list.Select(row =>
            cluster.GetGrain<ILoginGuardGrain>(LoginKeys.Admin(AdminUsers.Normalize(row.Username))).Get()));
        Rows = [.. list.Select((row, i) => row with { Locked = guards[i].LockedUntil is not null })];
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
        // this session goes on with the new password's stamp; the admin's other sessions end
        sessions.ForgetAdmin(id);
        if (await users.StampAsync(id, ct) is { } stamp)
            await Pages.Admin.LoginModel.SignInAsync(HttpContext, new AdminUser(id, User.Identity?.Name ?? "", "", stamp));
        Flash = "Senha alterada.";
        return RedirectToPage();
    }
}
