using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Clientes;

/// <summary>Cadastro de Clientes: list and search (the same query as GET /api/customers).</summary>
public sealed class IndexModel(NpgsqlDataSource db) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<CustomerListItem>? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var r = await CustomersApi.List(db, ct, Busca, Math.Max(Pagina, 1), CustomersApi.DefaultPageSize);
        if (Absorb(r)) Result = ApiResults.Value<PagedResult<CustomerListItem>>(r);
    }
}
