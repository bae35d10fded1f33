using Billing.Api.Web;
using Billing.GrainInterfaces.Dids;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// The circuit's DIDs: Siga-me (needs the <c>sigame</c> flag) and Chamadas ACB (needs <c>acb</c>). Changes go
/// through the Did grain's UpdateSettings, which validates the destination against the circuit's dialing
/// rules exactly as PUT /api/dids/{number}/settings does; a setting whose flag is off keeps its value.
/// </summary>
public sealed class NumerosModel(PortalData data) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Numeros;

    [BindProperty(Name = "numero")] public string? Numero { get; set; }
    [BindProperty(Name = "sigame")] public bool Sigame { get; set; }
    [BindProperty(Name = "destino")] public string? Destino { get; set; }
    [BindProperty(Name = "acb")] public bool Acb { get; set; }

    public IReadOnlyList<PortalDid> Dids { get; private set; } = [];
    public PortalDid? Posted { get; private set; }
    public string? ErrorNumber { get; private set; }
    public string? Error { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Dids = await data.DidsAsync(Account, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var own = await data.OwnDidAsync(Account, Numero);
        if (own is not { } did) return NotFoundPage();
        var current = did.View;
        var sigame = Flags.Sigame
            ? new SigameSettings(Sigame, string.IsNullOrWhiteSpace(Destino) ? null : Destino.Trim())
            : current.Sigame;
        var acb = Flags.Acb ? Acb : current.AcceptsCollect;
        var r = await did.Grain.UpdateSettings(new DidSettings(sigame, acb), Actor);
        if (r.IsOk) Message = $"Configurações do número {current.Number} salvas.";
        else
        {
            ErrorNumber = current.Number;
            Error = BlacklistModel.ErrorText(r);
            Posted = new PortalDid(current.Number, sigame.Enabled, sigame.Destination, acb);
        }
        Dids = await data.DidsAsync(Account, ct);
        return Page();
    }
}
