using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Tests.AdminWeb;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using UglyToad.PdfPig;

namespace Billing.Tests.Portal;

/// <summary>
/// The portal of seed 001 for a customer with many circuits (issue 18): Fatura em Aberto of every circuit and the
/// customer's total, the partial PDF, the calls of another circuit of the customer (and 403 for another customer's),
/// Última Fatura after the payment provider's signed webhook, and the Resposta menu read by the operator.
/// Debian's Chromium (Playwright) against the API on real Kestrel.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PortalCustomerBrowserTests(ClusterFixture cluster, PortalFixture portal) : IClassFixture<PortalFixture>
{
    private Task<IPage> LoginAsync(PortalCircuit c, bool phone = false) => portal.LoginAsync(cluster, c, phone);

    /// <summary>
    /// Another circuit of <paramref name="customerId"/> on a per-second plan of R$ 0,10/min, with the monthly fee
    /// <paramref name="fee"/> and <paramref name="calls"/> outbound local calls of 60 s (R$ 0,10 each) made 10 minutes ago.
    /// </summary>
    private async Task<string> CircuitWithCallsAsync(long customerId, string planId, decimal fee, int calls)
    {
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, customerId, planId);
        await Seed.CreditAsync(admin, account, 100m);
        var grain = cluster.Grains.Circuit(account);
        var view = await grain.Get();
        var up = await grain.Update(view!.Data with { Invoice = view.Data.Invoice with { ClosingDay = 1, MonthlyFee = fee } }, "test");
        Assert.True(up.IsOk, up.Message);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        for (var i = 0; i < calls; i++)
        {
            var r = await grain.Complete(new CompleteRequest
            {
                CallId = $"cust-{account}-{i}", DurationSeconds = 60, Destination = "1133334444", StartedAt = start.AddSeconds(i), Source = "import",
            });
            Assert.True(r.Ok, $"{r.Status} {r.Field} {r.Reason}");
        }
        return account;
    }

    /// <summary>What the open period of <paramref name="account"/> charges now: its rated calls (circuit grain), monthly fee and DID fees.</summary>
    private async Task<decimal> OpenTotalAsync(string account)
    {
        var view = await cluster.Grains.Circuit(account).Get();
        var period = BillingPeriod.Of(DateTimeOffset.UtcNow, view!.Data.Invoice.ClosingDay).Key;
        var calls = (await cluster.Grains.Circuit(account).GetPeriodTotals(period))?.Total ?? 0m;
        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(sum(monthly_fee), 0) FROM did_assignments WHERE account = @a AND active_to IS NULL");
        cmd.Parameters.AddWithValue("a", account);
        return calls + view.Data.Invoice.MonthlyFee + (decimal)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenACustomerHasThreeCircuits_ThenThePortalShowsAllThreeAndTheTotal()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var second = await CircuitWithCallsAsync(c.CustomerId, plan, 10m, 3);
        var third = await CircuitWithCallsAsync(c.CustomerId, plan, 20m, 2);
        var otherCustomer = await Seed.CustomerAsync(cluster.AsAdmin(), "Outro Cliente " + Guid.NewGuid().ToString("N")[..4]);
        var fourth = await CircuitWithCallsAsync(otherCustomer, plan, 5m, 1);
        var first = await OpenTotalAsync(c.Account);
        Assert.Equal(10.30m, await OpenTotalAsync(second));
        Assert.Equal(20.20m, await OpenTotalAsync(third));

        var page = await LoginAsync(c);
        await page.ClickAsync("nav >> text=Faturas");
        await page.WaitForURLAsync("**/portal/faturas");
        var rows = page.Locator("#abertas tr.circuito-aberto");
        Assert.Equal(3, await rows.CountAsync());
        var shown = new List<string>();
        for (var i = 0; i < 3; i++) shown.Add((await rows.Nth(i).GetAttributeAsync("data-conta"))!);
        Assert.Equal(new[] { c.Account, second, third }.Order(StringComparer.Ordinal), shown);
        Assert.DoesNotContain(fourth, await page.InnerTextAsync("#abertas"), StringComparison.Ordinal);
        Assert.Equal("Total: " + Money.Format(10.30m), await page.InnerTextAsync($"#aberta-total-{second}"));
        Assert.Equal("Total: " + Money.Format(20.20m), await page.InnerTextAsync($"#aberta-total-{third}"));
        Assert.Equal("Total: " + Money.Format(first), await page.InnerTextAsync($"#aberta-total-{c.Account}"));
        var total = Money.Format(first + 10.30m + 20.20m);
        Assert.Equal(total, await page.InnerTextAsync("#aberta-total"));
        Assert.Contains(total, await page.InnerTextAsync("#fatura-aberta"), StringComparison.Ordinal);
        var secondRow = page.Locator($"#abertas tr[data-conta='{second}']");
        Assert.Contains($"{second} - Circuito {second}", await secondRow.InnerTextAsync(), StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(page, "faturas-tres-circuitos");

        // the calls of another circuit of the customer, from its row
        await secondRow.Locator("a.ligacoes-efetuadas").ClickAsync();
        await page.WaitForURLAsync($"**/portal/ligacoes/efetuadas?circuito={second}");
        Assert.Contains(second, await page.InnerTextAsync("#ligacoes-circuito"), StringComparison.Ordinal);
        Assert.Equal(3 + 1, await page.Locator("#ligacoes tr").CountAsync()); // header + its 3 calls
        await PortalFixture.ScreenshotAsync(page, "ligacoes-outro-circuito");
        await page.ClickAsync("text=✓ Recebidas");
        await page.WaitForURLAsync($"**/portal/ligacoes/recebidas?circuito={second}");
        Assert.Equal(1, await page.Locator("#ligacoes tr").CountAsync()); // no received calls on that circuit

        // another customer's circuit: its calls and its partial invoice are refused
        var refused = await page.GotoAsync($"/portal/ligacoes/efetuadas?circuito={fourth}");
        Assert.Equal(403, refused!.Status);
        Assert.Equal(403, (await page.GotoAsync($"/portal/ligacoes/recebidas?circuito={fourth}"))!.Status);
        Assert.Equal(403, (await page.GotoAsync($"/portal/faturas/aberta/{fourth}/pdf"))!.Status);

        var phone = await LoginAsync(c, phone: true);
        await phone.GotoAsync("/portal/faturas");
        Assert.Equal(3, await phone.Locator("#abertas tr.circuito-aberto").CountAsync());
        await PortalFixture.ScreenshotAsync(phone, "faturas-tres-circuitos-celular");
    }

    [Fact]
    public async Task WhenThePartialInvoiceOfAnotherCircuitIsDownloaded_ThenThePdfIsMarkedPartialAndAddsUp()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var second = await CircuitWithCallsAsync(c.CustomerId, plan, 12.50m, 4);
        var page = await LoginAsync(c);
        await page.GotoAsync("/portal/faturas");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator($"#abertas tr[data-conta='{second}'] a.download-parcial").ClickAsync());
        Assert.Contains("PARCIAL", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        string text;
        using (var pdf = PdfDocument.Open(path!))
            text = string.Join("\n", pdf.GetPages().Select(p => p.Text));
        Assert.Contains("PARCIAL — fatura em aberto", text, StringComparison.Ordinal);
        Assert.Contains($"{second} - Circuito {second}", text, StringComparison.Ordinal);
        Assert.Contains(Money.Format(12.90m), text, StringComparison.Ordinal); // 12,50 + 4 calls of R$ 0,10
        Assert.Contains("Ligações efetuadas (4)", text, StringComparison.Ordinal);
        // a preview: no invoice was written for the open period
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM invoices WHERE account = @a");
        cmd.Parameters.AddWithValue("a", second);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        // the logged-in circuit's own partial PDF too
        var own = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator($"#abertas tr[data-conta='{c.Account}'] a.download-parcial").ClickAsync());
        using (var pdf = PdfDocument.Open((await own.PathAsync())!))
            Assert.Contains(Money.Format(await OpenTotalAsync(c.Account)), string.Join("\n", pdf.GetPages().Select(p => p.Text)), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Signed(string body, DateTimeOffset at, string secret = PortalFixture.WebhookSecret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/payments/webhook") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Payment-Signature", WebhookSignature.Sign(secret, bytes, at));
        return request;
    }

    private static string PaymentJson(string providerId, long invoiceId, decimal amount, DateTimeOffset paidAt) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"id":"{{providerId}}","invoiceId":{{invoiceId}},"amount":{{amount}},"paidAt":"{{paidAt:yyyy-MM-ddTHH:mm:ssZ}}","method":"pix"}""");

    [Fact]
    public async Task WhenTheProviderWebhookPaysAnInvoice_ThenThePortalShowsItAsUltimaFatura()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var invoice = await (await cluster.AsAdmin().GetAsync($"/api/invoices/{c.IssuedInvoiceId}")).JsonAsync();
        var total = invoice.GetProperty("total").GetDecimal();
        var period = invoice.GetProperty("period").GetString()!;
        var page = await LoginAsync(c);
        await page.GotoAsync("/portal/faturas");
        Assert.Contains("Nenhuma fatura paga.", await page.InnerTextAsync("#ultima-fatura"), StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) };
        var now = DateTimeOffset.UtcNow;
        var providerId = "pay_" + Guid.NewGuid().ToString("N")[..12];
        var body = PaymentJson(providerId, c.IssuedInvoiceId, total, now.AddMinutes(-1));

        // wrong secret, replayed (stale) signature, no signature: 401, nothing paid
        var wrong = await http.SendAsync(Signed(body, now, "outro-segredo-qualquer-123456"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Signed(body, now.AddMinutes(-10)))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("/api/payments/webhook", new StringContent(body, Encoding.UTF8, "application/json"))).StatusCode);
        var tampered = Signed(body, now);
        tampered.Content = new StringContent(body.Replace("\"pix\"", "\"boleto\"", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(tampered)).StatusCode);
        Assert.Null((await cluster.Grains.Invoice(c.IssuedInvoiceId).Get())!.PaidAt);

        // an unknown invoice: 404
        var unknown = await http.SendAsync(Signed(PaymentJson("pay_x" + Guid.NewGuid().ToString("N")[..8], 987_654_321, total, now), now));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // paid; the provider's retry answers the same payment and records nothing more
        var paid = await http.SendAsync(Signed(body, now));
        Assert.True(paid.StatusCode == HttpStatusCode.OK, await paid.Content.ReadAsStringAsync());
        var first = await paid.JsonAsync();
        Assert.Equal(total, first.GetProperty("paidAmount").GetDecimal());
        Assert.Equal("pix", first.GetProperty("method").GetString());
        var retry = await http.SendAsync(Signed(body, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(first.GetProperty("paidAt").GetDateTimeOffset(), (await retry.JsonAsync()).GetProperty("paidAt").GetDateTimeOffset());
        await using (var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM invoice_history WHERE invoice_id = @id AND action = 'paid'"))
        {
            cmd.Parameters.AddWithValue("id", c.IssuedInvoiceId);
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        // another payment of the paid invoice: 409
        var again = await http.SendAsync(Signed(PaymentJson("pay_y" + Guid.NewGuid().ToString("N")[..8], c.IssuedInvoiceId, total, now), now));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        await page.GotoAsync("/portal/faturas");
        var ultima = await page.InnerTextAsync("#ultima-fatura");
        Assert.Contains(Money.Format(total), ultima, StringComparison.Ordinal);
        Assert.Contains(BillingPeriod.LabelOf(period), ultima, StringComparison.Ordinal);
        Assert.Contains("(Pix)", ultima, StringComparison.Ordinal);
        Assert.Contains("Paga em", await page.InnerTextAsync("#historico"), StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(page, "ultima-fatura-paga");
    }

    [Fact]
    public async Task WhenTheAdminRecordsAPaymentOnTheInvoicePage_ThenItIsPaidAndShownToTheCustomer()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var server = await AdminWebServer.ForAsync(cluster);
        var admin = await server.LoggedInPageAsync();
        await admin.GotoAsync($"/admin/faturas/{c.IssuedInvoiceId}");
        // a wrong amount is refused next to its field, nothing is paid
        await admin.FillAsync("#pag-valor", "1,00");
        await admin.ClickAsync("#registrar-pagamento");
        await admin.ClickAsync("#confirmar-pagamento-ok");
        await admin.Locator("#err-amount").WaitForAsync();
        Assert.Contains("difere do total", await admin.InnerTextAsync("#err-amount"), StringComparison.Ordinal);
        Assert.Null((await cluster.Grains.Invoice(c.IssuedInvoiceId).Get())!.PaidAt);
        await AdminWebServer.ScreenshotAsync(admin, "fatura-pagamento-erro");

        var total = (await cluster.Grains.Invoice(c.IssuedInvoiceId).Get())!.Content.Total;
        await admin.FillAsync("#pag-valor", Money.Number(total));
        await admin.SelectOptionAsync("#pag-forma", "boleto");
        await admin.ClickAsync("#registrar-pagamento");
        await admin.ClickAsync("#confirmar-pagamento-ok");
        await admin.Locator("#pagamento").WaitForAsync();
        Assert.Contains("Boleto", await admin.InnerTextAsync("#pagamento"), StringComparison.Ordinal);
        Assert.Contains(AdminWebServer.User, await admin.InnerTextAsync("#pagamento"), StringComparison.Ordinal);
        await AdminWebServer.ScreenshotAsync(admin, "fatura-paga");
        var paid = await cluster.Grains.Invoice(c.IssuedInvoiceId).Get();
        Assert.Equal(total, paid!.PaidAmount);
        Assert.Equal("boleto", paid.PaymentMethod);

        var page = await LoginAsync(c, phone: true);
        await page.GotoAsync("/portal/faturas");
        Assert.Contains("(Boleto)", await page.InnerTextAsync("#ultima-fatura"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenRespostaIsEnabled_ThenTheCustomerWritesToTheOperator_AndTheOperatorReadsIt()
    {
        var c = await PortalScenario.CreateAsync(cluster, PortalScenario.AllOn with { Resposta = true });
        var page = await LoginAsync(c, phone: true);
        await page.ClickAsync("nav >> text=Resposta");
        await page.WaitForURLAsync("**/portal/resposta");
        Assert.Contains(PortalFixture.Mensagem, await page.InnerTextAsync("#mensagem-operadora"), StringComparison.Ordinal);
        // empty: refused next to the fields
        await page.ClickAsync("#enviar-resposta");
        await page.Locator("#err-mensagem").WaitForAsync();
        Assert.Contains("obrigatório", await page.InnerTextAsync("#err-assunto"), StringComparison.Ordinal);
        var subject = "Manutenção " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#assunto", subject);
        await page.FillAsync("#mensagem", "Ciente da manutenção.\nPodem reiniciar o PABX às 3h?");
        await page.ClickAsync("#enviar-resposta");
        await page.Locator("#resposta-enviada").WaitForAsync();
        Assert.Contains(subject, await page.InnerTextAsync("#respostas"), StringComparison.Ordinal);
        Assert.Contains("Aguardando leitura", await page.InnerTextAsync("#respostas"), StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(page, "resposta");
        await using (var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM portal_replies WHERE account = @a"))
        {
            cmd.Parameters.AddWithValue("a", c.Account);
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }

        // the operator reads it in the admin and marks it read; the customer sees it
        var server = await AdminWebServer.ForAsync(cluster);
        var admin = await server.LoggedInPageAsync();
        await admin.ClickAsync("header nav >> text=Respostas do portal");
        await admin.WaitForURLAsync("**/admin/respostas");
        var row = admin.Locator("#respostas tr", new() { HasText = subject });
        Assert.Contains("Podem reiniciar o PABX", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(c.Account, await row.InnerTextAsync(), StringComparison.Ordinal);
        await AdminWebServer.ScreenshotAsync(admin, "respostas");
        await row.Locator("button", new() { HasText = "Marcar como lida" }).ClickAsync();
        await admin.Locator("#aviso").WaitForAsync();
        Assert.Contains("Lida em", await admin.Locator("#respostas tr", new() { HasText = subject }).InnerTextAsync(), StringComparison.Ordinal);
        await page.ReloadAsync();
        Assert.Contains("Lida em", await page.InnerTextAsync("#respostas"), StringComparison.Ordinal);

        // with the flag off the menu is gone and the page is refused
        var off = await PortalScenario.CreateAsync(cluster);
        Assert.False((await cluster.Grains.Circuit(off.Account).Get())!.Data.Flags.Resposta);
        var offPage = await LoginAsync(off);
        Assert.Equal(0, await offPage.Locator("nav >> text=Resposta").CountAsync());
        Assert.Equal(403, (await offPage.GotoAsync("/portal/resposta"))!.Status);
    }
}
