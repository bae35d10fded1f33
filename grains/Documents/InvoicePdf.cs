using System.Globalization;
using Billing.GrainInterfaces.Invoicing;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// PDF of an invoice with SkiaSharp's PDF backend: header facts, summary by call type, totals, then the
/// detailed calls. Text in DejaVu Sans (one font file embedded), A4 portrait.
/// </summary>
public static class InvoicePdf
{
    private const float Width = 595, Height = 842, Margin = 40;
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
        using (var doc = SKDocument.CreatePdf(ms, meta))
        {
            using var font = new SKFont(PdfFonts.Regular, 9);
            // one embedded font file per PDF: bold is DejaVu Sans emboldened, not a second font
            using var bold = new SKFont(PdfFonts.Regular, 10) { Embolden = true };
            using var title = new SKFont(PdfFonts.Regular, 16) { Embolden = true };
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var bar = new SKPaint { Color = new SKColor(0x1f, 0x5f, 0xa8) };
            using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
            SKCanvas canvas = doc.BeginPage(Width, Height);
            float y = Margin;
            var page = 1;

            void NewPage()
            {
                doc.EndPage();
                canvas = doc.BeginPage(Width, Height);
                page++;
                y = Margin;
                canvas.DrawText($"Fatura {inv.DocumentNumber} - {PtBr.Period(inv.Period)} - página {page.ToString(CultureInfo.InvariantCulture)}",
                    Margin, y, SKTextAlign.Left, font, ink);
                y += 18;
            }
            void Need(float h)
            {
                if (y + h > Height - Margin) NewPage();
            }
            void Bar(string text)
            {
                Need(30);
                y += 6;
                canvas.DrawRect(Margin, y, Width - 2 * Margin, 16, bar);
                canvas.DrawText(text, Margin + 4, y + 12, SKTextAlign.Left, bold, white);
                y += 22;
            }
            void Row(float[] xs, SKTextAlign[] aligns, string[] cells, SKFont f)
            {
                Need(13);
                for (var i = 0; i < cells.Length; i++) canvas.DrawText(cells[i], xs[i], y + 9, aligns[i], f, ink);
                y += 13;
            }

            canvas.DrawText("Fatura " + inv.DocumentNumber, Margin, y + 14, SKTextAlign.Left, title, ink);
            canvas.DrawText(inv.Currency, Width - Margin, y + 14, SKTextAlign.Right, title, ink);
            y += 26;
            canvas.DrawText(inv.Status, Width / 2, y + 10, SKTextAlign.Center, bold, ink);
            y += 14;
            canvas.DrawText(PtBr.Period(inv.Period), Width / 2, y + 10, SKTextAlign.Center, bold, ink);
            y += 20;
            var factX = new[] { Margin, Margin + 110 };
            var left = new[] { SKTextAlign.Left, SKTextAlign.Left };
            foreach (var (l, v) in InvoiceDocuments.Facts(inv, customer)) Row(factX, left, [l, v], font);

            Bar("Resumo por tipo de chamada");
            var sx = new[] { Margin, Margin + 330, Margin + 410, Width - Margin };
            var sa = new[] { SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right, SKTextAlign.Right };
            Row(sx, sa, ["Tipo", "Quantidade", "Minutos", "Valor"], bold);
            foreach (var t in inv.Content.ByType)
                Row(sx, sa, [t.Label, t.Count.ToString(CultureInfo.InvariantCulture), PtBr.Number(t.Minutes), PtBr.Money(t.Amount)], font);

            Bar("Totais");
            var tx = new[] { Margin, Width - Margin };
            var ta = new[] { SKTextAlign.Left, SKTextAlign.Right };
            Row(tx, ta, [$"Ligações efetuadas ({inv.Content.Made.Count.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.Made.Amount)], font);
            Row(tx, ta, [$"Ligações recebidas ({inv.Content.Received.Count.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.Received.Amount)], font);
            Row(tx, ta, ["Mensalidade", PtBr.Money(inv.Content.MonthlyFee)], font);
            foreach (var d in inv.Content.DidFees) Row(tx, ta, ["Mensalidade DID " + d.Number, PtBr.Money(d.MonthlyFee)], font);
            if (inv.Content.LateCalls > 0)
                Row(tx, ta, [$"Chamadas de períodos anteriores ({inv.Content.LateCalls.ToString(CultureInfo.InvariantCulture)})", PtBr.Money(inv.Content.LateTotal)], font);
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
            doc.EndPage();
            doc.Close();
        }
        return ms.ToArray();
    }
}
