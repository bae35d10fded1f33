using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// PDF of a credit note (nota de crédito; layout: <see cref="PdfLayout"/>): its number, the invoice it refers to (document
/// number, period, circuit, total), the customer, the amount, the reason and how it reaches the customer.
/// </summary>
public static class CreditNotePdf
{
    public static byte[] Render(CreditNoteView note, InvoiceView invoice, InvoiceCustomer customer)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(customer);
        using var ms = new MemoryStream();
        var meta = new SKDocumentPdfMetadata
        {
            Title = "Nota de crédito " + note.DocumentNumber,
            Author = "Billing",
            Creation = note.CreatedAt.UtcDateTime,
            Modified = note.CreatedAt.UtcDateTime,
        };
        using (var pdf = new PdfLayout(ms, meta, page => $"Nota de crédito {note.DocumentNumber} - página {page.ToString(CultureInfo.InvariantCulture)}"))
        {
            const float Width = PdfLayout.Width, Margin = PdfLayout.Margin;
            pdf.Canvas.DrawText("Nota de crédito " + note.DocumentNumber, Margin, pdf.Y + 14, SKTextAlign.Left, pdf.Title, pdf.Ink);
            pdf.Canvas.DrawText(invoice.Currency, Width - Margin, pdf.Y + 14, SKTextAlign.Right, pdf.Title, pdf.Ink);
            pdf.Y += 30;
            var xs = new[] { Margin, Margin + 130 };
            var left = new[] { SKTextAlign.Left, SKTextAlign.Left };
            pdf.Row(xs, left, ["Emitida em", PtBr.DateTime(note.CreatedAt)], pdf.Font);
            pdf.Row(xs, left, ["Cliente", customer.Nome], pdf.Font);
            if (!string.IsNullOrWhiteSpace(customer.Documento)) pdf.Row(xs, left, ["CPF/CNPJ", customer.Documento], pdf.Font);
            if (!string.IsNullOrWhiteSpace(customer.RazaoSocial)) pdf.Row(xs, left, ["Razão social", customer.RazaoSocial], pdf.Font);
            pdf.Row(xs, left, ["Circuito", $"{invoice.Account} - {invoice.CircuitName}"], pdf.Font);

            pdf.Bar("Fatura de referência");
            pdf.Row(xs, left, ["Fatura", invoice.DocumentNumber], pdf.Font);
            pdf.Row(xs, left, ["Período", BillingPeriod.LabelOf(invoice.Period)], pdf.Font);
            pdf.Row(xs, left, ["Vencimento", PtBr.Date(invoice.DueDate)], pdf.Font);
            pdf.Row(xs, left, ["Total da fatura", PtBr.Money(invoice.Content.Total)], pdf.Font);

            pdf.Bar("Crédito");
            var tx = new[] { Margin, Width - Margin };
            var ta = new[] { SKTextAlign.Left, SKTextAlign.Right };
            pdf.Row(tx, ta, ["Valor da nota de crédito", PtBr.Money(note.Amount)], pdf.Bold);
            pdf.Row(xs, left, ["Aplicação", CreditNoteModes.Label(note.Mode)], pdf.Font);
            pdf.Row(xs, left, ["Motivo", ""], pdf.Font);
            pdf.Paragraph(note.Reason, pdf.Font);
            pdf.Finish();
        }
        return ms.ToArray();
    }
}
