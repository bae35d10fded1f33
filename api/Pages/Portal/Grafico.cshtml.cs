using Billing.Api.Web;

namespace Billing.Api.Pages.Portal;

public sealed class GraficoModel(PortalData data) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Grafico;

    public IReadOnlyList<PortalMonthCounts> Months { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Months = await data.MonthlyCountsAsync(Account, 12, ct);
}
