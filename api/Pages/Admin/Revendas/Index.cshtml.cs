using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Revendas;

/// <summary>Revendas: list and search (the same query as GET /api/resellers).</summary>
public sealed class IndexModel(ResellerQueries resellers) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<ResellerListItem>? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (Busca is { Length: > 200 })
        {
            Errors["search"] = ["Busca com no máximo 200 caracteres."];
            return;
        }
        Result = await resellers.List(Busca, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
    }
}
