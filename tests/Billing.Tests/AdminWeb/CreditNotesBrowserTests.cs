using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// "Emitir nota de crédito" on the admin invoice page in Debian's Chromium (issue 19): a field error for a missing reason,
/// the confirmation dialog showing the amount, the note listed with its number, and the same form posted again (its
/// idempotency key) issuing no second note.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class CreditNotesBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    [GeneratedRegex(@"NC-\d{6}")]
    private static partial Regex NoteNumber();

    [Fact]
    public async Task WhenAnAdminIssuesACreditNoteFromTheInvoicePage_ThenItIsListedOnce_AndTheTotalIsUntouched()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Joana Créditos Ltda");
        var account = await Seed.CircuitAsync(admin, customer, null, billingMode: "postpaid", creditLimit: 100m);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{account}",
            new { invoice = new { closingDay = 1, dueDays = 10, monthlyFee = 99.90m } })).StatusCode);
        var gen = await (await admin.PostAsJsonAsync("/api/invoices/generate", new { period = "2026-05", account })).JsonAsync();
        var id = gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();
        (await admin.PostAsJsonAsync($"/api/invoices/{id}/status", new { status = "ABERTO", notifyCustomer = false })).EnsureSuccessStatusCode();

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/faturas/{id}");
        Assert.Equal("Nenhuma nota de crédito.", (await page.TextContentAsync("#sem-notas"))?.Trim());
        Assert.Equal("R$ 99,90", (await page.TextContentAsync("#credito-disponivel"))?.Trim());
        var key = await page.GetAttributeAsync("input[name=NcChave]", "value");
        Assert.False(string.IsNullOrWhiteSpace(key));

        // no reason: refused next to the field, nothing issued, the same key kept in the form
        await page.FillAsync("#nc-valor", "12,50");
        await page.ClickAsync("#emitir-nota");
        await page.ClickAsync("#confirmar-nota-ok");
        Assert.Contains("motivo", (await page.TextContentAsync("#err-nota-reason"))!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await page.Locator("#form-pagamento .field-error").CountAsync()); // the payment form's fields stay clean
        Assert.Equal("true", await page.GetAttributeAsync("#nc-motivo", "aria-invalid"));
        Assert.Equal(key, await page.GetAttributeAsync("input[name=NcChave]", "value"));

        await page.FillAsync("#nc-valor", "12,50");
        await page.FillAsync("#nc-motivo", "Queda do tronco em 12/05");
        await page.ClickAsync("#emitir-nota");
        var dialog = page.Locator("#confirmar-nota");
        Assert.True(await dialog.IsVisibleAsync());
        Assert.Contains("R$ 12,50", (await dialog.TextContentAsync())!, StringComparison.Ordinal);
        await Shot(page, "nota-credito-confirmacao");
        await page.ClickAsync("#confirmar-nota-ok");
        await page.WaitForSelectorAsync("#aviso");
        var flash = (await page.TextContentAsync("#aviso"))!;
        var number = NoteNumber().Match(flash).Value;
        Assert.False(string.IsNullOrEmpty(number), flash);
        Assert.Contains("R$ 12,50", flash, StringComparison.Ordinal);
        var row = page.Locator($"#notas-credito tr[data-nota='{number}']");
        Assert.Contains("Queda do tronco em 12/05", (await row.TextContentAsync())!, StringComparison.Ordinal);
        Assert.Equal("R$ 99,90", (await page.TextContentAsync("#total"))?.Trim());       // the issued invoice is not edited
        Assert.Equal("R$ 87,40", (await page.TextContentAsync("#credito-disponivel"))?.Trim());
        await Shot(page, "nota-credito-emitida");

        // the page's form posted again with the first key (a double submit) answers the same note
        var notes = await (await admin.GetAsync($"/api/invoices/{id}/credit-notes")).JsonAsync();
        Assert.Equal(1, notes.GetArrayLength());
        var replay = await admin.PostAsJsonAsync($"/api/invoices/{id}/credit-notes", new { amount = 12.50m, reason = "Queda do tronco em 12/05", idempotencyKey = key });
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(number, (await replay.JsonAsync()).GetProperty("documentNumber").GetString());
        Assert.Equal(1, (await (await admin.GetAsync($"/api/invoices/{id}/credit-notes")).JsonAsync()).GetArrayLength());

        // its PDF from the list
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"#notas-credito tr[data-nota='{number}'] a"));
        Assert.EndsWith(number + ".pdf", download.SuggestedFilename, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
