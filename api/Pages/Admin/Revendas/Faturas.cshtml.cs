using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Pages.Admin.Revendas;

/// <summary>"Faturas Fechadas Revenda": reference selector, search, 50 per page, CSV (GET /api/reports/reseller-statements[.csv]).</summary>
public sealed class FaturasModel(NpgsqlDataSource db, TimeProvider clock) : AdminPageModel
{

    /// <summary>aaaa-MM (input type=month) or MM/aaaa; defaults to the previous month (the last closed one).</summary>
    [BindProperty(SupportsGet = true, Name = "referencia")]
    public string? Referencia { get; set; }

    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public ResellerStatementPage? Result { get; private set; }

    /// <summary>The last 24 months, newest first, as (value aaaa-MM, label MM/aaaa).</summary>
    public IReadOnlyList<(string Value, string Label)> References { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Default();
        var r = await ResellerStatementsApi.List(db, clock, ct, Referencia, null, Busca, Math.Max(Pagina, 1), Paging.DefaultPageSize);
        if (Absorb(r)) Result = ApiResults.Value<ResellerStatementPage>(r);
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        Default();
        return new HttpResultAction(await ResellerStatementsApi.Csv(db, clock, ct, Referencia, null, Busca));
    }

    private void Default()
    {
        var current = BillingPeriod.Of(clock.GetUtcNow());
        References = Enumerable.Range(0, 24).Select(i => current.AddMonths(-i)).Select(p => (p.Key, p.Label)).ToList();
        if (string.IsNullOrWhiteSpace(Referencia)) Referencia = References[1].Value;
        else if (BillingPeriod.TryParse(Referencia, out var typed)) Referencia = typed.Key;
    }
}
