using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>
/// Faturamentos pendentes: filters (Data base or Data de vencimento, customers, contratos/avulsos/todos), one row per
/// customer with its total, expandable to the items and their details; from there "Faturar" (some items or all).
/// Reads through <see cref="BillingService.Pending"/>, as GET /api/billing/pending does.
/// </summary>
public sealed class IndexModel(TimeProvider clock, BillingService billing) : AdminPageModel
{
    /// <summary>"base" (everything dated on or before the date) or "vencimento" (due exactly on the date).</summary>
    [BindProperty(SupportsGet = true, Name = "por")]
    public string? Por { get; set; }

    /// <summary>aaaa-MM-dd (an &lt;input type=date&gt;); today when absent.</summary>
    [BindProperty(SupportsGet = true, Name = "data")]
    public string? Data { get; set; }

    /// <summary>Customer codes separated by commas; empty = all customers.</summary>
    [BindProperty(SupportsGet = true, Name = "clientes")]
    public string? Clientes { get; set; }

    /// <summary>contracts, avulsos or all.</summary>
    [BindProperty(SupportsGet = true, Name = "tipo")]
    public string? Tipo { get; set; }

    public PendingResponse? Result { get; private set; }

    public bool PorVencimento => Por == "vencimento";

    public async Task OnGetAsync(CancellationToken ct)
    {
        Data = string.IsNullOrWhiteSpace(Data) ? FaturamentoForm.Today(clock) : Data.Trim();
        Tipo = string.IsNullOrWhiteSpace(Tipo) ? "all" : Tipo;
        var r = await billing.Pending(PorVencimento ? null : Data, PorVencimento ? Data : null, Clientes, Tipo, ct);
        if (Absorb(r)) Result = r.Value;
    }

    /// <summary>"Prévia" PDF of one customer's pending items under the same filters (GET /api/billing/pending/report.pdf).</summary>
    public async Task<IActionResult> OnGetPreviaAsync(long cliente, string? relatorio, CancellationToken ct)
    {
        var r = await billing.Preview(cliente, PorVencimento ? null : Data, PorVencimento ? Data : null, Tipo, null, relatorio, ct);
        if (!r.IsOk) return new HttpResultAction(r.ToNoContent());
        return File(r.Value!.Content, r.Value.ContentType, r.Value.Name);
    }
}
