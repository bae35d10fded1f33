using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Planos;

/// <summary>Planos: the plans, 50 per page (the query of GET /api/plans).</summary>
public sealed class IndexModel(PlanQueries plans) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<PlanListItem>? Result { get; private set; }

    /// <summary>Plan id → its latest version's tariff windows (plans without any are absent).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PlanWindowSummary>> Windows { get; private set; } =
        new Dictionary<string, IReadOnlyList<PlanWindowSummary>>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Result = await plans.List(Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        Windows = await plans.Windows(Result.Items.Select(p => p.Id), ct);
    }

    /// <summary>"Local fixo: seg–sex 07:00–19:00: R$ 0,12/min".</summary>
    public static string Line(PlanWindowSummary w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return $"{CallTypes.ShortLabel(w.Type)}: {WindowText.Days(w.Days)} {w.From}–{w.To}: {WindowText.Price(w.Prices, w.ConnectFee)}";
    }
}
