using Billing.Api.Web;

namespace Billing.Api.Pages.Portal;

/// <summary>The PDF of one of this circuit's issued invoices; any other id (another circuit's, a draft) is 404.</summary>
public sealed class FaturaPdfModel(PortalData data) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    public async Task<Microsoft.AspNetCore.Mvc.IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var doc = await data.InvoicePdfAsync(Account, Circuit.Data.CustomerId, id, ct);
        return doc is null ? NotFoundPage() : File(doc.Content, doc.ContentType, doc.FileName);
    }
}
