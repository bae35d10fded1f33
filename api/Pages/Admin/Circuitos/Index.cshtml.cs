using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>Circuitos: 50 per page, search, customer and status filters (the query of GET /api/circuits).</summary>
public sealed class IndexModel(NpgsqlDataSource db, TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<CircuitListItem>? Result { get; private set; }

    public Dictionary<long, string> CustomerNames { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var status = string.IsNullOrWhiteSpace(Status) ? null : Status;
        var r = await CircuitsApi.List(db, clock, ct, Busca, Cliente, status, Math.Max(Pagina, 1), Paging.DefaultPageSize);
        if (!Absorb(r)) return;
        Result = ApiResults.Value<PagedResult<CircuitListItem>>(r);
        CustomerNames = await AdminLookups.CustomerNamesAsync(db, Result!.Items.Select(i => i.CustomerId).Append(Cliente ?? 0), ct);
    }
}
