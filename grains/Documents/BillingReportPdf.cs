using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Grains.Invoicing;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// The closing report of a billing ("relatório de fechamento"), on the shared <see cref="PdfLayout"/>:
/// sintético = header, items and values, totals; detalhado = also each contract's fee and usage by call type,
/// and the one-off values ("valores avulsos") with their date and description.
/// </summary>
public static class BillingReportPdf
{
    public static byte[] Render(BillingReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        using var ms = new MemoryStream();
        var meta = new SKDocumentPdfMetadata { Title = r.Title, Author = "Billing", Creation = r.GeneratedAt.UtcDateTime, Modified = r.GeneratedAt.UtcDateTime };
        using (var pdf = new PdfLayout(ms, meta, page => $"{r.Title} - página {PdfLayout.Count(page)}"))
        {
            const float W = PdfLayout.Width, M = PdfLayout.Margin;
            pdf.Canvas.DrawText(r.Title, M, pdf.Y + 14, SKTextAlign.Left, pdf.Title, pdf.Ink);
            pdf.Canvas.DrawText("BRL", W - M, pdf.Y + 14, SKTextAlign.Right, pdf.Title, pdf.Ink);
            pdf.Y += 26;
            pdf.Canvas.DrawText((r.Detailed ? "Relatório detalhado" : "Relatório sintético") + " - " + r.Status, W / 2, pdf.Y + 10,
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

            var contracts = r.Items.Where(i => i.Source == "contrato").ToList();
            var avulsos = r.Items.Where(i => i.Source != "contrato").ToList();
            var ix = new[] { M, M + 300, M + 380, W - M };
            var ia = new[] { SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Left, SKTextAlign.Right };
            if (contracts.Count > 0)
            {
                pdf.Bar($"Contratos ({PdfLayout.Count(contracts.Count)})");
                pdf.Row(ix, ia, ["Contrato", "Data", "Vencimento", "Valor"], pdf.Bold);
                foreach (var i in contracts)
                {
                    pdf.Row(ix, ia, [i.Description, PtBr.Date(i.Date), PtBr.Date(i.DueDate), PtBr.Money(i.Amount)], pdf.Font);
                    if (!r.Detailed) continue;
                    var dx = new[] { M + 16, M + 250, M + 330, W - M };
                    var da = new[] { SKTextAlign.Left, SKTextAlign.Right, SKTextAlign.Right, SKTextAlign.Right };
                    if (i.MonthlyFee is { } fee) pdf.Row(dx, da, ["Mensalidade", "", "", PtBr.Money(fee)], pdf.Font);
                    if (i.UsagePeriod is not null)
                    {
                        pdf.Row(dx, da, [$"Consumo de {BillingPeriod.LabelOf(i.UsagePeriod)}", "Chamadas", "Duração", ""], pdf.Font);
                        foreach (var u in i.Usage)
                            pdf.Row(dx, da, ["  " + CallTypes.Label(u.CallType), PdfLayout.Count(u.Calls), PtBr.Duration(u.Seconds), PtBr.Money(u.Amount)], pdf.Font);
                        if (i.Usage.IsEmpty) pdf.Row(dx, da, ["  sem chamadas no período", "", "", PtBr.Money(0m)], pdf.Font);
                    }
                }
            }
            if (avulsos.Count > 0)
            {
                pdf.Bar($"Valores avulsos ({PdfLayout.Count(avulsos.Count)})");
                pdf.Row(ix, ia, ["Descrição", "Data", "Vencimento", "Valor"], pdf.Bold);
                foreach (var i in avulsos) pdf.Row(ix, ia, [i.Description, PtBr.Date(i.Date), PtBr.Date(i.DueDate), PtBr.Money(i.Amount)], pdf.Font);
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
            if (r.Detailed && !r.Attachments.IsEmpty)
            {
                pdf.Bar("Anexos");
                foreach (var a in r.Attachments) pdf.Row([M], [SKTextAlign.Left], [a], pdf.Font);
            }
            pdf.Finish();
        }
        return ms.ToArray();
    }
}
