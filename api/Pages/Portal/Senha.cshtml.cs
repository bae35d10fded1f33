using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Logins;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// Alterar senha: the current password is checked (a wrong one counts toward the login lockout), the new one
/// must differ from it and from the account, and the grain applies its own rules (8+ characters, letters and digits).
/// </summary>
public sealed class SenhaModel(IClusterClient cluster, LoginGuard guard, WebSessions sessions) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.None;

    [BindProperty(Name = "atual")] public string? Atual { get; set; }
    [BindProperty(Name = "nova")] public string? Nova { get; set; }
    [BindProperty(Name = "confirmacao")] public string? Confirmacao { get; set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var grain = cluster.Circuit(Account);
        // the current password is checked under the login guard, in this host (never in the circuit grain)
        var attempt = await guard.TryBeginAsync(LoginKeys.Portal(Account), LoginGuard.Address(HttpContext));
        var ok = false;
        if (attempt is not null)
        {
            var login = Atual is { Length: > 0 and <= 128 } ? await grain.GetWebLogin() : null;
            ok = login is not null && WebPassword.Verify(Atual!, login.PasswordHash);
            await attempt.EndAsync(ok);
        }
        if (!ok)
        {
            Error = "Senha atual incorreta (ou muitas tentativas: aguarde alguns minutos).";
            return Page();
        }
        if (string.IsNullOrEmpty(Nova) || !string.Equals(Nova, Confirmacao, StringComparison.Ordinal))
            Error = "A confirmação não confere com a nova senha.";
        else if (string.Equals(Nova, Atual, StringComparison.Ordinal))
            Error = "A nova senha precisa ser diferente da atual.";
        else if (Nova.Contains(Account, StringComparison.Ordinal))
            Error = "A nova senha não pode conter o número do circuito.";
        else
        {
            var r = await grain.SetWebPassword(Nova, Actor);
            if (r.IsOk)
            {
                // this session goes on with the new stamp; the circuit's other sessions end
                sessions.ForgetPortal(Account);
                if (await grain.GetWebLogin() is { } now) await LoginModel.SignInAsync(HttpContext, Account, now.Stamp);
                Message = "Senha alterada.";
            }
            else Error = BlacklistModel.ErrorText(r);
        }
        return Page();
    }
}
