using Billing.GrainInterfaces.Documents;
using System.Globalization;
using System.Net;
using System.Text;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.Grains.Invoicing;
using CsvHelper;

namespace Billing.Grains.Documents;

/// <summary>The documents of an invoice: CSV (summary), detailed CSV (one row per call), print HTML and PDF.</summary>
public static class InvoiceDocuments
{
    public static InvoiceDocument Render(InvoiceDocumentKind kind, InvoiceView inv, InvoiceCustomer customer, IReadOnlyList<InvoiceCall> calls)
    {
        ArgumentNullException.ThrowIfNull(inv);
        var name = $"fatura-{inv.Account}-{inv.Period}-{inv.DocumentNumber}";
        return kind switch
        {
            InvoiceDocumentKind.Csv => new("text/csv; charset=utf-8", name + ".csv", Csv(inv, customer)),
            InvoiceDocumentKind.CsvDetailed => new("text/csv; charset=utf-8", name + "-detalhado.csv", CsvDetailed(inv, calls)),
            InvoiceDocumentKind.Print => new("text/html; charset=utf-8", name + ".html", Encoding.UTF8.GetBytes(Html(inv, customer))),
            _ => new("application/pdf", name + ".pdf", InvoicePdf.Render(inv, customer, calls)),
        };
    }

    /// <summary>Header facts every document carries, as (label, value) in pt-BR.</summary>
    public static List<(string Label, string Value)> Facts(InvoiceView inv, InvoiceCustomer c)
    {
        ArgumentNullException.ThrowIfNull(inv);
        ArgumentNullException.ThrowIfNull(c);
        var facts = new List<(string, string)>
        {
            ("Documento", inv.DocumentNumber),
            ("Status", inv.Status),
            ("Período", $"{BillingPeriod.LabelOf(inv.Period)} ({PtBr.Date(inv.PeriodStart)} a {PtBr.Date(inv.PeriodEnd.AddSeconds(-1))})"),
            ("Moeda", inv.Currency),
            ("Vencimento", PtBr.Date(inv.DueDate)),
            ("Cliente", c.Nome),
            ("CPF/CNPJ", c.Documento),
        };
        if (!string.IsNullOrWhiteSpace(c.RazaoSocial)) facts.Add(("Razão social", c.RazaoSocial));
        if (!string.IsNullOrWhiteSpace(c.Endereco)) facts.Add(("Endereço", c.Endereco));
        facts.Add(("Circuito", $"{inv.Account} - {inv.CircuitName}"));
        foreach (var f in inv.CustomFields) facts.Add((f.Name, f.Value));
        return facts;
    }

    /// <summary>Summary CSV: header facts, the summary by call type, and the totals (pt-BR numbers, ';', UTF-8 BOM).</summary>
    public static byte[] Csv(InvoiceView inv, InvoiceCustomer customer)
    {
        return PtBrCsv.Write(w =>
        {
            foreach (var (label, value) in Facts(inv, customer)) w.WriteRecord([label, value, "", ""]);
            w.WriteRecord(["", "", "", ""]);
            w.WriteRecord(["Tipo de chamada", "Quantidade", "Minutos", "Valor (R$)"]);
            foreach (var t in inv.Content.ByType)
                w.WriteRecord([t.Label, t.Count.ToString(CultureInfo.InvariantCulture), PtBr.Number(t.Minutes, 2), PtBr.Number(t.Amount)]);
            w.WriteRecord(["", "", "", ""]);
            w.WriteRecord(["Ligações efetuadas", inv.Content.Made.Count.ToString(CultureInfo.InvariantCulture), PtBr.Number(InvoiceCalculator.Minutes(inv.Content.Made.Seconds), 2), PtBr.Number(inv.Content.Made.Amount)]);
            w.WriteRecord(["Ligações recebidas", inv.Content.Received.Count.ToString(CultureInfo.InvariantCulture), PtBr.Number(InvoiceCalculator.Minutes(inv.Content.Received.Seconds), 2), PtBr.Number(inv.Content.Received.Amount)]);
            w.WriteRecord(["Mensalidade", "", "", PtBr.Number(inv.Content.MonthlyFee)]);
            foreach (var d in inv.Content.DidFees) w.WriteRecord(["Mensalidade DID " + d.Number, "", "", PtBr.Number(d.MonthlyFee)]);
            w.WriteRecord(["Total das chamadas", inv.Content.CallsCount.ToString(CultureInfo.InvariantCulture), "", PtBr.Number(inv.Content.CallsTotal)]);
            foreach (var c in inv.Content.Credits) w.WriteRecord(["Nota de crédito " + c.DocumentNumber, "", "", PtBr.Number(-c.Amount)]);
            w.WriteRecord(["Total", "", "", PtBr.Number(inv.Content.Total)]);
        });
    }

    public static readonly string[] DetailedHeader =
        ["id_chamada", "inicio", "direcao", "destino", "numero_normalizado", "tipo", "duracao_s", "tarifado_s", "preco_minuto", "valor", "periodo"];

    /// <summary>One row per call (pt-BR numbers and dates in São Paulo time, ';', UTF-8 BOM).</summary>
    public static byte[] CsvDetailed(InvoiceView inv, IReadOnlyList<InvoiceCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return PtBrCsv.Write(w =>
        {
            w.WriteRecord(DetailedHeader);
            var fields = new string[DetailedHeader.Length];
            foreach (var c in calls)
            {
                fields[0] = c.CallId;
                fields[1] = PtBr.DateTime(c.StartedAt);
                fields[2] = c.Direction == "inbound" ? "recebida" : "efetuada";
                fields[3] = c.Destination ?? "";
                fields[4] = c.Normalized ?? "";
                fields[5] = c.CallType;
                fields[6] = c.DurationSeconds.ToString(CultureInfo.InvariantCulture);
                fields[7] = c.BilledSeconds.ToString(CultureInfo.InvariantCulture);
                fields[8] = c.PricePerMinute is { } p ? PtBr.Number(p, 6) : "";
                fields[9] = PtBr.Number(c.Amount);
                fields[10] = c.Period;
                w.WriteRecord(fields);
            }
        });
    }

    /// <summary>Print view: self-contained HTML with print CSS (A4, no buttons when printed).</summary>
    public static string Html(InvoiceView inv, InvoiceCustomer customer)
    {
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>Fatura ").Append(E(inv.DocumentNumber)).Append("</title>");
        sb.Append("""
            <style>
            body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#222}
            h1{font-size:1.4em;margin:0} .status{text-align:center;font-weight:bold;font-size:1.2em;margin:.5em 0}
            table{border-collapse:collapse;width:100%;margin:1em 0} th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left}
            td.n,th.n{text-align:right} .total{font-size:1.2em;font-weight:bold}
            .bar{background:#1f5fa8;color:#fff;padding:.3em .5em}
            @media print{@page{size:A4;margin:15mm} body{margin:0} .noprint{display:none} .bar{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
            </style></head><body>
            <p class="noprint"><button onclick="window.print()">Imprimir</button></p>
            """);
        sb.Append("<h1>Fatura ").Append(E(inv.DocumentNumber)).Append("</h1>");
        sb.Append("<div class=\"status\">").Append(E(inv.Status)).Append("<br>").Append(E(BillingPeriod.LabelOf(inv.Period))).Append("</div>");
        sb.Append("<table>");
        foreach (var (l, v) in Facts(inv, customer)) sb.Append("<tr><th>").Append(E(l)).Append("</th><td>").Append(E(v)).Append("</td></tr>");
        sb.Append("</table><div class=\"bar\">Resumo por tipo de chamada</div><table><tr><th>Tipo</th><th class=\"n\">Quantidade</th><th class=\"n\">Minutos</th><th class=\"n\">Valor</th></tr>");
        foreach (var t in inv.Content.ByType)
            sb.Append("<tr><td>").Append(E(t.Label)).Append("</td><td class=\"n\">").Append(t.Count.ToString(CultureInfo.InvariantCulture))
              .Append("</td><td class=\"n\">").Append(PtBr.Number(t.Minutes, 2)).Append("</td><td class=\"n\">").Append(E(PtBr.Money(t.Amount))).Append("</td></tr>");
        sb.Append("</table><div class=\"bar\">Totais</div><table>");
        void Row(string l, string v) => sb.Append("<tr><td>").Append(E(l)).Append("</td><td class=\"n\">").Append(E(v)).Append("</td></tr>");
        Row($"Ligações efetuadas ({inv.Content.Made.Count})", PtBr.Money(inv.Content.Made.Amount));
        Row($"Ligações recebidas ({inv.Content.Received.Count})", PtBr.Money(inv.Content.Received.Amount));
        Row("Mensalidade", PtBr.Money(inv.Content.MonthlyFee));
        foreach (var d in inv.Content.DidFees) Row("Mensalidade DID " + d.Number, PtBr.Money(d.MonthlyFee));
        if (inv.Content.LateCalls > 0) Row($"Chamadas de períodos anteriores ({inv.Content.LateCalls})", PtBr.Money(inv.Content.LateTotal));
        sb.Append("<tr class=\"total\"><td>Total</td><td class=\"n\">").Append(E(PtBr.Money(inv.Content.Total))).Append("</td></tr></table>");
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
