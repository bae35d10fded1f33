using Billing.Api.Application;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// "Download fatura" of Fatura em Aberto: the PDF of a circuit's open period as it stands now, marked "PARCIAL — fatura em
/// aberto". Any circuit of the logged-in circuit's customer; another customer's circuit is 403.
/// </summary>
public sealed class FaturaAbertaPdfModel(PortalService portal) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    public async Task<Microsoft.AspNetCore.Mvc.IActionResult> OnGetAsync(string conta)
    {
        if (await portal.CircuitOfCustomer(conta, Circuit.Data.CustomerId) is null) return Forbidden();
        var doc = await portal.OpenInvoicePdf(conta);
        return doc is null ? NotFoundPage() : File(doc.Content, doc.ContentType, doc.FileName);
    }
}
