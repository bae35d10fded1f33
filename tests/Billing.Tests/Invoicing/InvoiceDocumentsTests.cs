using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.GrainInterfaces.Invoicing;
using Billing.Grains.Documents;
using Billing.Grains.Invoicing;
using UglyToad.PdfPig;
using Xunit.Abstractions;

namespace Billing.Tests.Invoicing;

public sealed class InvoiceDocumentsTests(ITestOutputHelper output)
{
    private static List<InvoiceCall> Calls(int n)
    {
        var rnd = new Random(11);
        var start = new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.FromHours(-3));
        return Enumerable.Range(0, n).Select(i => new InvoiceCall
        {
            LedgerId = i, CallId = "c" + i.ToString(CultureInfo.InvariantCulture), StartedAt = start.AddMinutes(i * 3),
            Direction = i % 7 == 0 ? "inbound" : "outbound", Destination = "11" + (33330000 + i).ToString(CultureInfo.InvariantCulture),
            CallType = i % 7 == 0 ? "recebida" : (i % 3 == 0 ? "ldn_movel" : "local_fixo"), DurationSeconds = rnd.Next(1, 900),
            BilledSeconds = rnd.Next(1, 900), PricePerMinute = 0.37m, Amount = i % 7 == 0 ? 0m : rnd.Next(0, 400) / 100m, Period = "2026-10",
        }).ToList();
    }

    private static (InvoiceView, InvoiceCustomer) Invoice(List<InvoiceCall> calls) => (new InvoiceView
    {
        Id = 1, Account = "8010348", CircuitName = "TESTE CPP", CustomerId = 7, Period = "2026-10",
        PeriodStart = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.FromHours(-3)), PeriodEnd = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(-3)),
        Issuer = "operadora", Number = 123, Status = InvoiceStatus.Aberto, DueDate = new DateOnly(2026, 11, 11),
        Content = InvoiceCalculator.Compute(calls, 1500m, "2026-10"), CustomFields = [new("Contrato", "CT-1")],
    }, new InvoiceCustomer { Id = 7, Nome = "Flávio José Lima Feitosa", Documento = "123.456.789-09" });

    [Fact]
    public void WhenRenderingTheSummaryCsv_ThenItHasBomSemicolonsAndPtBrNumbers()
    {
        var calls = Calls(50);
        var (inv, cus) = Invoice(calls);
        var bytes = InvoiceDocuments.Csv(inv, cus);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.Contains("Total;;;" + inv.Content.Total.ToString("#,##0.00", PtBr.Culture), text, StringComparison.Ordinal);
        Assert.Contains("Documento;000123", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenRenderingATenThousandCallDetailedPdf_ThenItIsFastAndReadsBack()
    {
        var calls = Calls(10_000);
        var (inv, cus) = Invoice(calls);
        InvoicePdf.Render(inv, cus, calls.Take(10).ToList()); // warm-up (font load)
        var sw = Stopwatch.StartNew();
        var pdf = InvoicePdf.Render(inv, cus, calls);
        sw.Stop();
        var small = InvoicePdf.Render(inv, cus, []);
        output.WriteLine($"PDF 10k chamadas: {sw.ElapsedMilliseconds} ms, {pdf.Length / 1024} KiB; PDF só resumo: {small.Length / 1024} KiB");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "invoice-pdf-10k.txt"),
            string.Create(CultureInfo.InvariantCulture, $"{sw.ElapsedMilliseconds} ms {pdf.Length} bytes; summary-only {small.Length} bytes\n"));
        using var doc = PdfDocument.Open(pdf);
        Assert.True(doc.NumberOfPages > 100);
        var first = string.Join(" ", doc.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains("Flávio", first, StringComparison.Ordinal);
        Assert.Contains(PtBr.Money(inv.Content.Total).Replace("R$ ", "", StringComparison.Ordinal), first, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{sw.ElapsedMilliseconds} ms");
    }
}
