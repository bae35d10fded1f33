using Billing.Api.Application;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>The PDF of a credit note of one of this circuit's invoices (of its current customer); any other id is 404.</summary>
public sealed class NotaCreditoPdfModel(InvoiceDetailQueries queries, InvoiceService invoices) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        var note = await queries.CreditNote(id, ct);
        if (note is null || note.Account != Account || note.CustomerId != Circuit.Data.CustomerId) return NotFoundPage();
        var doc = await invoices.CreditNotePdf(note.InvoiceId, id);
        return doc is null ? NotFoundPage() : File(doc.Content, doc.ContentType, doc.FileName);
    }
}
