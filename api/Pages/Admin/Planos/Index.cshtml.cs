using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Planos;

/// <summary>Planos: the plans, 50 per page (the query of GET /api/plans).</summary>
public sealed class IndexModel(PlanQueries plans) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<PlanListItem>? Result { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        Result = await plans.List(Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
}
