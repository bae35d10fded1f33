using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Grains.Invoicing;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// The closing report of a billing ("relatório de fechamento"), on the shared <see cref="PdfLayout"/>, in the four kinds
/// of <see cref="BillingReportKinds"/>: sintético = header, items and values, totals; detalhado = also each contract's fee
/// and usage by call type, and the one-off values ("valores avulsos") with their date and description; detalhado com
/// ligações = also every call of each item; agrupado por circuito = the same, one section and subtotal per circuit.
/// An avulso's attachment is printed as a link (a PDF URI annotation) in every kind.
/// </summary>
public static class BillingReportPdf
{
    private const float W = PdfLayout.Width, M = PdfLayout.Margin;

    public static byte[] Render(BillingReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var kind = r.Detailed && r.Kind == BillingReportKinds.Sintetico ? BillingReportKinds.Detalhado : r.Kind;
        var detailed = kind != BillingReportKinds.Sintetico;
        var calls = BillingReportKinds.WithCalls(kind);
        using var ms = new MemoryStream();
        var meta = new SKDocumentPdfMetadata { Title = r.Title, Author = "Billing", Creation = r.GeneratedAt.UtcDateTime, Modified = r.GeneratedAt.UtcDateTime };
        using (var pdf = new PdfLayout(ms, meta, page => $"{r.Title} - página {PdfLayout.Count(page)}"))
        {
            pdf.Canvas.DrawText(r.Title, M, pdf.Y + 14, SKTextAlign.Left, pdf.Title, pdf.Ink);
            pdf.Canvas.DrawText("BRL", W - M, pdf.Y + 14, SKTextAlign.Right, pdf.Title, pdf.Ink);
            pdf.Y += 26;
            pdf.Canvas.DrawText("Relatório " + BillingReportKinds.Label(kind) + " - " + r.Status, W / 2, pdf.Y + 10,
                SKTextAlign.Center, pdf.Bold, pdf.Ink);
            pdf.Y += 22;
            var fx = new[] { M, M + 120 };
            var fa = new[] { SKTextAlign.Left, SKTextAlign.Left };
            pdf.Row(fx, fa, ["Cliente", r.CustomerName], pdf.Font);
            if (!string.IsNullOrWhiteSpace(r.CustomerDocument)) pdf.Row(fx, fa, ["CPF/CNPJ", r.CustomerDocument], pdf.Font);
            if (r.BillingDate is { } bd) pdf.Row(fx, fa, ["Data de faturamento", PtBr.Date(bd)], pdf.Font);
            if (r.DueDate is { } dd) pdf.Row(fx, fa, ["Vencimento", PtBr.Date(dd)], pdf.Font);
            if (!string.IsNullOrWhiteSpace(r.NfeNumber)) pdf.Row(fx, fa, ["Número NFe", r.NfeNumber], pdf.Font);
            pdf.Row(fx, fa, ["Emitido em", PtBr.DateTime(r.GeneratedAt)], pdf.Font);

            if (kind == BillingReportKinds.AgrupadoCircuito)
            {
                foreach (var g in r.Items.GroupBy(i => i.Account ?? "").OrderBy(g => g.Key.Length == 0).ThenBy(g => g.Key, StringComparer.Ordinal))
                {
                    var list = g.ToList();
                    pdf.Bar(g.Key.Length == 0 ? $"Sem circuito ({PdfLayout.Count(list.Count)})" : $"Circuito {g.Key} ({PdfLayout.Count(list.Count)})");
                    Items(pdf, list.Where(i => i.Source == "contrato").ToList(), "Contrato", detailed, calls);
                    Items(pdf, list.Where(i => i.Source != "contrato").ToList(), "Valor avulso", detailed, calls);
                    pdf.Row([M, W - M], [SKTextAlign.Left, SKTextAlign.Right],
                        [g.Key.Length == 0 ? "Subtotal sem circuito" : $"Subtotal do circuito {g.Key}", PtBr.Money(Money.Round(list.Sum(i => i.Amount)))], pdf.Bold);
                }
            }
            else
            {
                var contracts = r.Items.Where(i => i.Source == "contrato").ToList();
                var avulsos = r.Items.Where(i => i.Source != "contrato").ToList();
                if (contracts.Count > 0)
                {
                    pdf.Bar($"Contratos ({PdfLayout.Count(contracts.Count)})");
                    Items(pdf, contracts, "Contrato", detailed, calls);
                }
                if (avulsos.Count > 0)
                {
                    pdf.Bar($"Valores avulsos ({PdfLayout.Count(avulsos.Count)})");
                    Items(pdf, avulsos, "Descrição", detailed, calls);
                }
            }

            pdf.Bar("Totais");
            var tx = new[] { M, W - M };
            var ta = new[] { SKTextAlign.Left, SKTextAlign.Right };
            pdf.Row(tx, ta, ["Total dos itens", PtBr.Money(r.Total)], pdf.Font);
            pdf.Row(tx, ta, ["Desconto", PtBr.Money(-r.Discount)], pdf.Font);
            pdf.Row(tx, ta, ["Juros", PtBr.Money(r.Interest)], pdf.Font);
            pdf.Row(tx, ta, ["Valor real", PtBr.Money(r.ValorReal)], pdf.Bold);

            if (!string.IsNullOrWhiteSpace(r.Notes))
            {
                pdf.Bar("Observações");
                pdf.Paragraph(r.Notes, pdf.Font);
            }
            if (detailed && !r.Attachments.IsEmpty)
            {
                pdf.Bar("Anexos");
                foreach (var a in r.Attachments) pdf.Row([M], [SKTextAlign.Left], [a], pdf.Font);
            }
            pdf.Finish();
        }
        return ms.ToArray();
    }

    private static void Items(PdfLayout pdf, List<BillingReportItem> items, string first, bool detailed, bool calls)
    {
        if (items.Count == 0) return;
        var ix = new[] { M, M + 300, M + 380, W - M };
        var ia = new[] { SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Right };
        pdf.Row(ix, ia, [first, "Data", "Vencimento", "Valor"], pdf.Bold);
        var dx = new[] { M + 16, M + 250, M + 330, W - M };
        var da = new[] { SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right, SKTextAlign.Right };
        foreach (var i in items)
        {
            pdf.Row(ix, ia, [i.Description, PtBr.Date(i.Date), PtBr.Date(i.DueDate), PtBr.Money(i.Amount)], pdf.Font);
            if (i.AttachmentName is { } file) Link(pdf, "Anexo: " + file, i.AttachmentUrl);
            if (!detailed) continue;
            if (i.MonthlyFee is { } fee) pdf.Row(dx, da, ["Mensalidade", "", "", PtBr.Money(fee)], pdf.Font);
            if (i.UsagePeriod is not null)
            {
                pdf.Row(dx, da, [$"Consumo de {BillingPeriod.LabelOf(i.UsagePeriod)}", "Chamadas", "Duração", ""], pdf.Font);
                foreach (var u in i.Usage)
                    pdf.Row(dx, da, ["  " + CallTypes.Label(u.CallType), PdfLayout.Count(u.Calls), PtBr.Duration(u.Seconds), PtBr.Money(u.Amount)], pdf.Font);
                if (i.Usage.IsEmpty) pdf.Row(dx, da, ["  sem chamadas no período", "", "", PtBr.Money(0m)], pdf.Font);
            }
            if (!calls || i.UsagePeriod is null) continue;
            var cx = new[] { M + 16, M + 120, M + 240, M + 380, W - M };
            var ca = new[] { SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right };
            pdf.Row(cx, ca, [$"Ligações ({PdfLayout.Count(i.Calls.Length)})", "Destino", "Tipo", "Duração", "Valor"], pdf.Bold);
            foreach (var c in i.Calls)
                pdf.Row(cx, ca, [PtBr.DateTime(c.StartedAt), c.Destination, CallTypes.Label(c.CallType), PtBr.Duration(c.BilledSeconds), PtBr.Money(c.Amount)],
                    pdf.Font);
        }
    }

    /// <summary>A line of text that is also a link (PDF URI annotation over the text) when <paramref name="url"/> is given.</summary>
    private static void Link(PdfLayout pdf, string text, string? url)
    {
        var x = M + 16;
        pdf.Row([x], [SKTextAlign.Left], [text], pdf.Font);
        if (string.IsNullOrEmpty(url)) return;
        var width = pdf.Font.MeasureText(text);
        using var annotation = pdf.Canvas.DrawUrlAnnotation(SKRect.Create(x, pdf.Y - 13, width, 13), url);
    }
}
