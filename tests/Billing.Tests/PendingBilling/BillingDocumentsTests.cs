using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Grains.Invoicing;
using Billing.Tests.Infrastructure;
using Billing.Tests.Invoicing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using UglyToad.PdfPig;

namespace Billing.Tests.BillingRuns;

[Collection(ClusterCollection.Name)]
public sealed class BillingDocumentsTests(ClusterFixture cluster)
{
    private async Task<(long Customer, long BillingId, HttpClient Admin)> Billed(string customerName)
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin, customerName);
        (await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = cus, date = "2026-01-05", description = "Instalação de PABX", amount = 10.10m }))
            .EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/billing/contracts", new { customerId = cus, name = "Suporte 8x5", kind = "servico", amount = 33.33m,
            timing = "antecipado", dayOfMonth = 1, startDate = "2026-01-01", endDate = "2026-01-31" })).EnsureSuccessStatusCode();
        var r = await admin.PostAsJsonAsync("/api/billing", new { customerId = cus, all = true, billingDate = "2026-01-31", dueDate = "2026-02-10",
            discount = 3.43m, nfeNumber = "NFE-777" });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (cus, (await r.JsonAsync()).GetProperty("id").GetInt64(), admin);
    }

    private static MultipartFormDataContent File(string name, string type, byte[] content)
    {
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(content);
        part.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(part, "file", name);
        return form;
    }

    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    [Fact]
    public async Task WhenFilesAreAttached_ThenAllowedOnesAreStoredListedAndDownloadedByteForByteAndOthersAreRefused()
    {
        var (_, id, admin) = await Billed("Anexos Ltda");
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n% nota fiscal\n%%EOF\n");
        var xml = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><nfeProc><NFe/></nfeProc>");
        var up = await admin.PostAsync($"/api/billing/{id}/attachments", File("nfe-777.pdf", "application/pdf", pdf));
        Assert.True(up.StatusCode == HttpStatusCode.Created, await up.Content.ReadAsStringAsync());
        var att = await up.JsonAsync();
        Assert.Equal(pdf.Length, att.GetProperty("sizeBytes").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync($"/api/billing/{id}/attachments", File("nfe-777.xml", "application/xml", xml))).StatusCode);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await admin.PostAsync($"/api/billing/{id}/attachments", File("virus.exe", "application/octet-stream", [0x4D, 0x5A]))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, // says PDF, is not
            (await admin.PostAsync($"/api/billing/{id}/attachments", File("fake.pdf", "application/pdf", Encoding.ASCII.GetBytes("MZ....")))).StatusCode);
        var big = new byte[5 * 1024 * 1024 + 1];
        "%PDF-"u8.CopyTo(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.PostAsync($"/api/billing/{id}/attachments", File("big.pdf", "application/pdf", big))).StatusCode);

        var list = await (await admin.GetAsync($"/api/billing/{id}/attachments")).JsonAsync();
        Assert.Equal(["nfe-777.pdf", "nfe-777.xml"], list.EnumerateArray().Select(a => a.GetProperty("fileName").GetString()));
        var down = await admin.GetAsync($"/api/billing/{id}/attachments/{att.GetProperty("id").GetInt64()}");
        Assert.Equal("application/pdf", down.Content.Headers.ContentType!.MediaType);
        Assert.Equal(pdf, await down.Content.ReadAsByteArrayAsync());

        var history = await (await admin.GetAsync($"/api/billing/history?nfe=NFE-777&customerId={(await (await admin.GetAsync($"/api/billing/{id}")).JsonAsync()).GetProperty("customerId").GetInt64()}")).JsonAsync();
        Assert.Equal(2, history.GetProperty("items")[0].GetProperty("attachmentCount").GetInt32());
    }

    [Fact]
    public async Task WhenAnAvulsoGetsAnAttachment_ThenItIsDownloadableAndFlaggedInThePendingDetailsAndFrozenOnceBilled()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var created = await (await admin.PostAsJsonAsync("/api/billing/avulsos",
            new { customerId = cus, date = "2026-03-03", description = "Laudo técnico", amount = 80m })).JsonAsync();
        var id = created.GetProperty("id").GetInt64();
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 };
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsync($"/api/billing/avulsos/{id}/attachment", File("laudo.png", "image/png", png))).StatusCode);
        var down = await admin.GetAsync($"/api/billing/avulsos/{id}/attachment");
        Assert.Equal(png, await down.Content.ReadAsByteArrayAsync());
        var pending = await (await admin.GetAsync($"/api/billing/pending?baseDate=2026-03-31&customerIds={cus}")).JsonAsync();
        Assert.True(pending.GetProperty("customers")[0].GetProperty("items")[0].GetProperty("details").GetProperty("hasAttachment").GetBoolean());
        (await admin.PostAsJsonAsync("/api/billing", new { customerId = cus, all = true, billingDate = "2026-03-31", dueDate = "2026-04-10" }))
            .EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsync($"/api/billing/avulsos/{id}/attachment", File("outro.png", "image/png", png))).StatusCode);
    }

    [Fact]
    public async Task WhenTheReportIsDownloaded_ThenSinteticoListsItemsAndTotalsAndDetalhadoAddsAvulsoDatesAndAPreviewShowsPendingItems()
    {
        var (cus, id, admin) = await Billed("Relatório Ltda");
        var s = await admin.GetAsync($"/api/billing/{id}/report.pdf?type=sintetico");
        Assert.Equal("application/pdf", s.Content.Headers.ContentType!.MediaType);
        var st = Text(await s.Content.ReadAsByteArrayAsync());
        foreach (var expected in new[] { "Relatório Ltda", "Suporte 8x5 (01/2026)", "Instalação de PABX", "43,43", "40,00", "NFE-777", "sintético" })
            Assert.Contains(expected, st, StringComparison.Ordinal);
        var dt = Text(await (await admin.GetAsync($"/api/billing/{id}/report.pdf?type=detalhado")).Content.ReadAsByteArrayAsync());
        Assert.Contains("Valores avulsos", dt, StringComparison.Ordinal);
        Assert.Contains("05/01/2026", dt, StringComparison.Ordinal);
        Assert.Contains("detalhado", dt, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/billing/{id}/report.pdf?type=xyz")).StatusCode);

        (await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = cus, date = "2026-02-03", description = "Visita técnica", amount = 150m }))
            .EnsureSuccessStatusCode();
        var pv = await admin.GetAsync($"/api/billing/pending/report.pdf?customerId={cus}&baseDate=2026-02-28&type=detalhado");
        Assert.True(pv.IsSuccessStatusCode, await pv.Content.ReadAsStringAsync());
        var pt = Text(await pv.Content.ReadAsByteArrayAsync());
        Assert.Contains("PRÉVIA", pt, StringComparison.Ordinal);
        Assert.Contains("Visita técnica", pt, StringComparison.Ordinal);
        Assert.Contains("150,00", pt, StringComparison.Ordinal);
        Assert.DoesNotContain("Instalação de PABX", pt, StringComparison.Ordinal); // already billed
    }

    [Fact]
    public async Task WhenTheReportIsEmailed_ThenItGoesThroughTheOutboxAndArrivesWithThePdf()
    {
        await using var smtp = new TinySmtpServer();
        var (_, id, admin) = await Billed("Correio Ltda");
        var to = "financeiro-" + Guid.NewGuid().ToString("N")[..6] + "@example.com";
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/billing/{id}/email", new { to = "não é e-mail", reportType = "x" })).StatusCode);
        var r = await admin.PostAsJsonAsync($"/api/billing/{id}/email", new { to, reportType = "detalhado" });
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());

        var sender = new OutboxSender(cluster.Db, cluster.Grains,
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Tls = "none", From = "faturas@operadora.test" }),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        while (await sender.SendDueAsync() > 0) { }

        MimeMessage mail;
        lock (smtp.Received) mail = smtp.Received.Single(m => m.To.Mailboxes.Any(x => x.Address == to));
        Assert.Contains("Correio Ltda", mail.Subject, StringComparison.Ordinal);
        var part = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal($"faturamento-{id}-detalhado.pdf", part.FileName);
        using var ms = new MemoryStream();
        await part.Content!.DecodeToAsync(ms);
        Assert.Contains("Correio Ltda", Text(ms.ToArray()), StringComparison.Ordinal);
        var b = await (await admin.GetAsync($"/api/billing/{id}")).JsonAsync();
        Assert.Contains(b.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "email");
        _ = JsonValueKind.Null;
    }
}
