using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>Add / remove blocked callers through the circuit grain (same rules as /api/circuits/{account}/blacklist).</summary>
public sealed class BlacklistModel(IClusterClient cluster) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Blacklist;

    [BindProperty] public string? Numero { get; set; }
    public IReadOnlyList<string> Numbers { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    private ICircuitGrain Grain => cluster.Circuit(Account);

    public async Task OnGetAsync() => Numbers = await Grain.GetBlacklist() ?? [];

    public async Task<IActionResult> OnPostAddAsync()
    {
        if (string.IsNullOrWhiteSpace(Numero) || Numero.Length > 40)
            Error = "Informe um número válido.";
        else
        {
            var r = await Grain.AddToBlacklist([Numero.Trim()], Actor);
            if (r.Result.IsOk)
            {
                Message = r.Added > 0 ? "Número bloqueado." : "O número já estava bloqueado.";
                Numero = null;
            }
            else Error = ErrorText(r.Result);
        }
        Numbers = await Grain.GetBlacklist() ?? [];
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        if (string.IsNullOrWhiteSpace(Numero) || Numero.Length > 40) Error = "Informe o número a remover.";
        else
        {
            var r = await Grain.RemoveFromBlacklist(Numero.Trim(), Actor);
            if (r.Result.IsOk) Message = "Número removido da blacklist.";
            else Error = ErrorText(r.Result);
        }
        Numero = null;
        Numbers = await Grain.GetBlacklist() ?? [];
        return Page();
    }

    internal static string ErrorText(CommandResult r) =>
        r.Errors is { Count: > 0 } e ? string.Join(" ", e.Values.SelectMany(v => v)) : r.Message ?? "Não foi possível concluir a operação.";
}
