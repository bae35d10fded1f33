using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// PDF of an invoice (layout: <see cref="PdfLayout"/>): header facts, summary by call type, totals, then the
/// detailed calls. Text in DejaVu Sans (one font file embedded), A4 portrait.
/// </summary>
public static class InvoicePdf
{
    public static byte[] Render(InvoiceView inv, InvoiceCustomer customer, IReadOnlyList<InvoiceCall> calls)
    {
        ArgumentNullException.ThrowIfNull(inv);
        ArgumentNullException.ThrowIfNull(calls);
        using var ms = new MemoryStream();
        var meta = new SKDocumentPdfMetadata
        {
            Title = "Fatura " + inv.DocumentNumber,
            Author = "Billing",
            Creation = inv.GeneratedAt.UtcDateTime,
            Modified = inv.GeneratedAt.UtcDateTime,
        };
        using (var pdf = new PdfLayout(ms, meta,
                   page => $"Fatura {inv.DocumentNumber} - {BillingPeriod.LabelOf(inv.Period)} - página {page.ToString(CultureInfo.InvariantCulture)}"))
        {
            const float Width = PdfLayout.Width, Margin = PdfLayout.Margin;
            var canvas = pdf.Canvas;
            var (font, bold, title, ink) = (pdf.Font, pdf.Bold, pdf.Title, pdf.Ink);
            void Bar(string text) => pdf.Bar(text);
            void Row(float[] xs, SKTextAlign[] aligns, string[] cells, SKFont f) => pdf.Row(xs, aligns, cells, f);
            canvas.DrawText("Fatura " + inv.DocumentNumber, Margin, pdf.Y + 14, SKTextAlign.Left, title, ink);
            canvas.DrawText(inv.Currency, Width - Margin, pdf.Y + 14, SKTextAlign.Right, title, ink);
            pdf.Y += 26;
            canvas.DrawText(inv.Status, Width / 2, pdf.Y + 10, SKTextAlign.Center, bold, ink);
            pdf.Y += 14;
            canvas.DrawText(BillingPeriod.LabelOf(inv.Period), Width / 2, pdf.Y + 10, SKTextAlign.Center, bold, ink);
            pdf.Y += 20;
            var factX = new[] { Margin, Margin + 110 };
            var left = new[] { SKTextAlign.Left, SKTextAlign.Left };
            foreach (var (l, v) in InvoiceDocuments.Facts(inv, customer)) Row(factX, left, [l, v], font);

            Bar("Resumo por tipo de chamada");
            var sx = new[] { Margin, Margin + 330, Margin + 410, Width - Margin };
            var sa = new[] { SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right, SKTextAlign.Right };
            Row(sx, sa, ["Tipo", "Quantidade", "Minutos", "Valor"], bold);
            foreach (var t in inv.Content.ByType)
                Row(sx, sa, [t.Label, t.Count.ToString(CultureInfo.InvariantCulture), PtBr.Number(t.Minutes, 2), PtBr.Money(t.Amount)], font);

            Bar("Totais");
            var tx = new[] { Margin, Width - Margin };
            var ta = new[] { SKTextAlign.Left, SKTextAlign.Right };
            Row(tx, ta, [$"Ligações efetuadas ({inv.Content.Made.Count.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.Made.Amount)], font);
            Row(tx, ta, [$"Ligações recebidas ({inv.Content.Received.Count.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.Received.Amount)], font);
            Row(tx, ta, ["Mensalidade", PtBr.Money(inv.Content.MonthlyFee)], font);
            foreach (var d in inv.Content.DidFees) Row(tx, ta, ["Mensalidade DID " + d.Number, PtBr.Money(d.MonthlyFee)], font);
            if (inv.Content.LateCalls > 0)
                Row(tx, ta, [$"Chamadas de períodos anteriores ({inv.Content.LateCalls.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.LateTotal)], font);
            foreach (var c in inv.Content.Credits) Row(tx, ta, ["Nota de crédito " + c.DocumentNumber, PtBr.Money(-c.Amount)], font);
            Row(tx, ta, ["Total", PtBr.Money(inv.Content.Total)], bold);

            if (calls.Count > 0)
            {
                Bar($"Chamadas ({calls.Count.ToString(CultureInfo.InvariantCulture)})");
                var cx = new[] { Margin, Margin + 95, Margin + 150, Margin + 260, Margin + 380, Margin + 430, Width - Margin };
                var ca = new[] { SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right, SKTextAlign.Right };
                Row(cx, ca, ["Início", "Direção", "Destino", "Tipo", "Duração", "Tarifado", "Valor"], bold);
                foreach (var c in calls)
                    Row(cx, ca, [PtBr.DateTime(c.StartedAt)[..16], c.Direction == "inbound" ? "recebida" : "efetuada", c.Destination ?? "",
                        c.CallType, PtBr.Duration(c.DurationSeconds), c.BilledSeconds.ToString(CultureInfo.InvariantCulture), PtBr.Money(c.Amount)], font);
            }
            pdf.Finish();
        }
        return ms.ToArray();
    }
}
