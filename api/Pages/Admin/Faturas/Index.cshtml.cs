using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Faturas;

/// <summary>Faturas de clientes: by customer, circuit, period range and status (<see cref="InvoiceQueries.List"/>, the query of GET /api/invoices).</summary>
public sealed class IndexModel(InvoiceQueries invoices, LookupQueries lookups) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "circuito")]
    public string? Circuito { get; set; }

    /// <summary>First period, aaaa-MM (an &lt;input type=month&gt;).</summary>
    [BindProperty(SupportsGet = true, Name = "de")]
    public string? De { get; set; }

    [BindProperty(SupportsGet = true, Name = "ate")]
    public string? Ate { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<InvoiceListItem>? Result { get; private set; }

    public Dictionary<long, string> CustomerNames { get; private set; } = [];

    public IReadOnlyList<string> Statuses => InvoiceStatus.All;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var account = string.IsNullOrWhiteSpace(Circuito) ? null : Circuito.Trim();
        var r = await invoices.List(Cliente, account, De, Ate, Status, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        if (!Absorb(r)) return;
        Result = r.Value;
        CustomerNames = await lookups.CustomerNamesAsync(Result!.Items.Select(i => i.CustomerId).Append(Cliente ?? 0), ct);
    }
}
