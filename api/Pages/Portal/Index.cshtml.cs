using Billing.Api.Web;

namespace Billing.Api.Pages.Portal;

public sealed class IndexModel(PortalData data) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.None;

    public string? CustomerName { get; private set; }
    public PortalOpenInvoice? Open { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        CustomerName = await data.CustomerNameAsync(Circuit.Data.CustomerId, ct);
        if (Flags.Faturas) Open = await data.OpenInvoiceAsync(Account, Circuit);
    }
}
