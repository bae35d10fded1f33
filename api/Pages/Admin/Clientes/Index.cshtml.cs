using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Clientes;

/// <summary>Cadastro de Clientes: list and search (the same query as GET /api/customers).</summary>
public sealed class IndexModel(CustomerQueries customers) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<CustomerListItem>? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Busca is { Length: > 200 })
        {
            Errors["search"] = ["Busca com no máximo 200 caracteres."];
            return;
        }
        Result = await customers.List(Busca, Math.Max(Pagina, 1), CustomersApi.DefaultPageSize, ct);
    }
}
