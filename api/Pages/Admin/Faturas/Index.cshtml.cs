using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Faturas;

/// <summary>Faturas de clientes: by customer, circuit, period range and status (<see cref="InvoiceQueries.List"/>, the query of GET /api/invoices).</summary>
public sealed class IndexModel(NpgsqlDataSource db, InvoiceQueries invoices) : AdminPageModel
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

    public Dictionary<long, string> CustomerNames { get; } = [];

    public IReadOnlyList<string> Statuses => InvoiceStatus.All;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var account = string.IsNullOrWhiteSpace(Circuito) ? null : Circuito.Trim();
        var r = await invoices.List(Cliente, account, De, Ate, Status, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        if (!Absorb(r)) return;
        Result = r.Value;
        var ids = Result!.Items.Select(i => i.CustomerId).Append(Cliente ?? 0).Distinct().ToArray();
        await using var cmd = db.CreateCommand("SELECT id, nome FROM customers WHERE id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", ids);
        await using var rd = await cmd.ExecuteReaderAsync(ct);
        while (await rd.ReadAsync(ct)) CustomerNames[rd.GetInt64(0)] = rd.GetString(1);
    }
}
