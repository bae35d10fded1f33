using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Pages.Admin.Revendas;

/// <summary>
/// "Faturas Fechadas Revenda": reference selector, an optional month to compare with side by side, search, 50 per page, the
/// Lista DIDs of each reseller, Saldo do dia (R$), CSV — read through <see cref="ResellerQueries"/> (as /api/reports/reseller-statements).
/// </summary>
public sealed class FaturasModel(ResellerQueries queries, TimeProvider clock) : AdminPageModel
{
    /// <summary>aaaa-MM (input type=month) or MM/aaaa; defaults to the previous month (the last closed one).</summary>
    [BindProperty(SupportsGet = true, Name = "referencia")]
    public string? Referencia { get; set; }

    /// <summary>A month to show side by side (aaaa-MM or MM/aaaa); empty for none.</summary>
    [BindProperty(SupportsGet = true, Name = "comparar")]
    public string? Comparar { get; set; }

    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public ResellerStatementPage? Result { get; private set; }

    /// <summary>The last 24 months, newest first, as (value aaaa-MM, label MM/aaaa).</summary>
    public IReadOnlyList<(string Value, string Label)> References { get; private set; } = [];

    public string CsvLink =>
        "/admin/revendas/faturas?handler=csv&referencia=" + Uri.EscapeDataString(Referencia ?? "")
        + (string.IsNullOrWhiteSpace(Comparar) ? "" : "&comparar=" + Uri.EscapeDataString(Comparar))
        + (string.IsNullOrWhiteSpace(Busca) ? "" : "&busca=" + Uri.EscapeDataString(Busca));

    public async Task OnGetAsync(CancellationToken ct)
    {
        Default();
        var r = await queries.Page(Referencia, Comparar, Busca, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        if (Absorb(r)) Result = r.Value;
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        Default();
        var r = await queries.Csv(Referencia, Comparar, Busca, ct);
        return new HttpResultAction(r.ToHttp(f => TypedResults.File(f.Content, "text/csv; charset=utf-8", f.FileName)));
    }

    private void Default()
    {
        var current = BillingPeriod.Of(clock.GetUtcNow());
        References = Enumerable.Range(0, 24).Select(i => current.AddMonths(-i)).Select(p => (p.Key, p.Label)).ToList();
        if (string.IsNullOrWhiteSpace(Referencia)) Referencia = References[1].Value;
        else if (BillingPeriod.TryParse(Referencia, out var typed)) Referencia = typed.Key;
        if (string.IsNullOrWhiteSpace(Comparar)) Comparar = null;
        else if (BillingPeriod.TryParse(Comparar, out var other)) Comparar = other.Key;
    }
}
