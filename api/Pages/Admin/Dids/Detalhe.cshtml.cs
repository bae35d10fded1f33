using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Dids;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Dids;

/// <summary>
/// One DID: assign to a circuit / release (behind a confirmation), siga-me and ACB, and its history — through
/// <see cref="DidService"/> and <see cref="DidQueries"/>, like /api/dids/{number}/assign, /release, /settings and /history.
/// </summary>
public sealed class DetalheModel(DidService service, DidQueries queries, ResellerQueries resellers, TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Number { get; set; } = "";

    [BindProperty]
    public string? Circuito { get; set; }

    [BindProperty]
    public long? Revenda { get; set; }

    /// <summary>aaaa-MM-dd (input type=date), São Paulo; empty = now.</summary>
    [BindProperty]
    public string? AtivoDesde { get; set; }

    [BindProperty]
    public string? Mensalidade { get; set; }

    [BindProperty]
    public bool SigameAtivo { get; set; }

    [BindProperty]
    public string? SigameDestino { get; set; }

    [BindProperty]
    public bool Acb { get; set; }

    public DidView? Did { get; private set; }

    public bool Active { get; private set; }

    public IReadOnlyList<DidAssignmentRow> History { get; private set; } = [];

    public IReadOnlyList<(long Id, string Nome)> Resellers { get; private set; } = [];

    public string ResellerName(long? id) =>
        id is { } r ? Resellers.FirstOrDefault(x => x.Id == r).Nome ?? r.ToString(CultureInfo.InvariantCulture) : "";

    private string Self => "/admin/dids/" + Uri.EscapeDataString(Did?.Number ?? Number);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        SigameAtivo = Did!.Sigame.Enabled;
        SigameDestino = Did.Sigame.Destination;
        Acb = Did.AcceptsCollect;
        Revenda = Did.ResellerId;
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (DidNumbers.Normalize(Number) is not { } n) return false;
        Did = await service.Get(n);
        if (Did is null) return false;
        Active = Did.IsActive(clock.GetUtcNow());
        History = await queries.History(n, ct);
        Resellers = await resellers.Names(ct);
        return true;
    }

    public async Task<IActionResult> OnPostAtribuirAsync(CancellationToken ct)
    {
        DateTimeOffset? from = null;
        if (!string.IsNullOrWhiteSpace(AtivoDesde))
        {
            if (DateOnly.TryParseExact(AtivoDesde.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                || DateOnly.TryParseExact(AtivoDesde.Trim(), "dd/MM/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
            {
                var local = d.ToDateTime(TimeOnly.MinValue);
                from = new DateTimeOffset(local, SaoPauloTime.Zone.GetUtcOffset(local));
            }
            else Errors["activeFrom"] = ["Data inválida: use dd/mm/aaaa."];
        }
        if (!AdminLookups.TryMoney(Mensalidade, out var fee)) Errors["monthlyFee"] = ["Informe um valor como 10,00."];
        if (Errors.Count == 0)
        {
            var r = await service.Assign(Number, new DidAssignment(Circuito ?? "", Revenda, from, null, fee), CommandResults.Actor(HttpContext));
            if (Absorb(r))
            {
                Flash = $"DID atribuído ao circuito {r.Value!.Account}.";
                return Redirect(Self);
            }
        }
        else Problem = "Corrija os campos indicados.";
        if (!await LoadAsync(ct)) return NotFound();
        return Page();
    }

    public async Task<IActionResult> OnPostLiberarAsync()
    {
        var r = await service.Release(Number, CommandResults.Actor(HttpContext));
        Flash = Absorb(r) ? "DID liberado (de volta ao estoque)." : Problem;
        return Redirect(Self);
    }

    public async Task<IActionResult> OnPostConfiguracoesAsync(CancellationToken ct)
    {
        var r = await service.UpdateSettings(Number, SigameAtivo, true, string.IsNullOrWhiteSpace(SigameDestino) ? null : SigameDestino.Trim(), Acb,
            CommandResults.Actor(HttpContext));
        if (Absorb(r))
        {
            Flash = "Configurações do DID salvas.";
            return Redirect(Self);
        }
        if (!await LoadAsync(ct)) return NotFound();
        return Page();
    }
}
