using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>
/// Histórico de faturamentos: by NFe number, billing-date range and customer, 50 per page; each billing with its items,
/// the report PDFs (sintético/detalhado) and "Estornar" (cancel with a reason, behind a confirmation).
/// </summary>
public sealed class HistoricoModel(NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock) : AdminPageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "nfe")]
    public string? Nfe { get; set; }

    [BindProperty(SupportsGet = true, Name = "de")]
    public string? De { get; set; }

    [BindProperty(SupportsGet = true, Name = "ate")]
    public string? Ate { get; set; }

    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<BillingListItem>? Result { get; private set; }

    /// <summary>Each listed billing with its items and history (GET /api/billing/{id}).</summary>
    public Dictionary<long, BillingResponse> Details { get; } = [];

    /// <summary>The billing whose "Estornar" failed (its dialog opens again with the error and the reason typed).</summary>
    public long? EstornoId { get; private set; }

    public string? Motivo { get; private set; }

    /// <summary>This page's URL with its filters (where a cancel returns to).</summary>
    public string Self
    {
        get
        {
            var q = new QueryBuilder();
            foreach (var (k, v) in Request.Query)
                if (!k.Equals("handler", StringComparison.OrdinalIgnoreCase))
                    foreach (var s in v) q.Add(k, s ?? "");
            return "/admin/faturamento/historico" + q.ToQueryString().Value;
        }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var r = await BillingApi.History(db, clock, ct, De, Ate, Cliente, Nfe, Status, Math.Max(Pagina, 1), PageSize);
        if (!Absorb(r)) return;
        Result = ApiResults.Value<PagedResult<BillingListItem>>(r);
        foreach (var b in Result!.Items)
            if (await BillingApi.Load(db, b.Id, ct) is { } full) Details[b.Id] = full;
    }

    public async Task<IActionResult> OnPostEstornarAsync(long id, string? motivo, CancellationToken ct)
    {
        var r = await BillingApi.Cancel(id, new CancelRequest(motivo), HttpContext, db, cluster, ct);
        if (!Absorb(r))
        {
            EstornoId = id;
            Motivo = motivo;
            var errors = new Dictionary<string, string[]>(Errors);
            var problem = Problem;
            await LoadAsync(ct);
            foreach (var (k, v) in errors) Errors[k] = v;
            Problem = problem;
            return Page();
        }
        Flash = $"Faturamento {AdminHtml.Inv(id)} estornado: os itens estão pendentes de novo.";
        return Redirect(Self);
    }

    public async Task<IActionResult> OnGetRelatorioAsync(long id, string? tipo, CancellationToken ct) =>
        new HttpResultAction(await BillingDocumentsApi.Report(id, db, cluster, clock, ct, tipo));
}
