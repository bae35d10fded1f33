using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// Alterar senha: the current password is checked (a wrong one counts toward the login lockout), the new one
/// must differ from it and from the account, and the grain applies its own rules (8+ characters, letters and digits).
/// </summary>
public sealed class SenhaModel(IClusterClient cluster, LoginThrottle throttle) : PortalPageModel
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
        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        var grain = cluster.Circuit(Account);
        if (throttle.IsLocked(Account, address) || string.IsNullOrEmpty(Atual) || Atual.Length > 128 || !await grain.VerifyWebPassword(Atual))
        {
            if (!throttle.IsLocked(Account, address)) throttle.Fail(Account, address);
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
            if (r.IsOk) Message = "Senha alterada.";
            else Error = BlacklistModel.ErrorText(r);
        }
        return Page();
    }
}
