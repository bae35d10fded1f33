using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Invoicing;
using Billing.Tests.Infrastructure;
using Billing.Tests.Invoicing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using MimeKit;
using UglyToad.PdfPig;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// Faturamento screens in Debian's Chromium (issue 18): contracts and avulsos, billing with Arquivos, the history's
/// attachment downloads, the four closing reports read back with PdfPig (the avulso's attachment a working link),
/// "Enviar PDF por e-mail" received by a real SMTP server, and the invoice detail's collapsing sections.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BillingScreensBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string[] Destinations = ["1133334444", "11988887777", "1132105555"];

    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    private static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Text(byte[] pdf)
    {
        using var doc = PdfDocument.Open(pdf);
        return string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static async Task<byte[]> DownloadAsync(IPage page, string selector)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(selector));
        var path = await download.PathAsync();
        return await File.ReadAllBytesAsync(path!);
    }

    /// <summary>A customer with a circuit (monthly fee 89,90) and three rated calls in June 2026.</summary>
    private async Task<(long Customer, string Account, HttpClient Admin)> CustomerWithCallsAsync(string name)
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin, name);
        // a plan in force since 2020: the calls are of June 2026
        var plan = "pt" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.Simple(0.30m, 1);
        await cluster.Grains.GetGrain<IPlanGrain>("plan:" + plan).Create("Plano " + plan, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            System.Collections.Immutable.ImmutableDictionary<CallType, PlanEntry>.Empty
                .Add(CallType.LocalFixo, PlanEntry.Of(per)).Add(CallType.LocalMovel, PlanEntry.Of(per)));
        var account = await Seed.CircuitAsync(admin, cus, plan);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{account}",
            new { invoice = new { closingDay = 1, dueDays = 10, monthlyFee = 89.90m } })).StatusCode);
        await Seed.CreditAsync(admin, account, 1000m);
        var start = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.FromHours(-3));
        for (var i = 0; i < Destinations.Length; i++)
        {
            var c = await cluster.Grains.Circuit(account).Complete(new CompleteRequest
            {
                CallId = $"tela-{account}-{i}", DurationSeconds = 40 + i * 20, Destination = Destinations[i], Direction = CallDirection.Outbound,
                StartedAt = start.AddMinutes(i), Source = "import",
            });
            Assert.True(c.Ok, c.Reason);
        }
        return (cus, account, admin);
    }

    [Fact]
    public async Task WhenAContractIsBilledWithAnAttachment_ThenTheHistoryDownloadsTheSameBytes_TheFourReportsReadBack_AndThePdfIsEmailed()
    {
        await using var smtp = new TinySmtpServer();
        var web = await AdminWebServer.ForAsync(cluster);
        var (cus, account, admin) = await CustomerWithCallsAsync("Helena Telecom Telas");
        var code = Inv(cus);
        var contrato = "Tronco SIP " + Guid.NewGuid().ToString("N")[..6];
        var page = await web.LoggedInPageAsync();

        // Contratos, from the menu: a missing name is refused next to its field, then the contract is created
        await page.ClickAsync("header nav a:has-text('Contratos')");
        await page.WaitForURLAsync("**/admin/faturamento/contratos");
        await page.FillAsync("#cliente", code);
        await page.SelectOptionAsync("#tipo", "circuito");
        await page.FillAsync("#circuito", account);
        await page.SelectOptionAsync("#cobranca", "posterior");
        await page.FillAsync("#dia", "1");
        await page.FillAsync("#inicio", "2026-06-01");
        await page.ClickAsync("#salvar");
        await page.Locator("#err-name").WaitForAsync();
        Assert.Equal(1, await page.Locator("div:has(> #nome) > #err-name").CountAsync());
        await page.FillAsync("#nome", contrato);
        await page.ClickAsync("#salvar");
        await page.Locator("#aviso").WaitForAsync();
        var row = page.Locator($"#contratos tr:has(td.nome:text-is('{contrato}'))");
        Assert.Equal(1, await row.CountAsync());
        var contractId = (await row.GetAttributeAsync("id"))!["contrato-".Length..];
        await Shot(page, "faturamento-contratos");

        // Encerrar: a confirmation with the end date; the contract ends with June
        await page.ClickAsync($"#encerrar-{contractId}");
        await page.Locator($"#dlg-encerrar-{contractId}").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.FillAsync($"#fim-{contractId}", "2026-06-30");
        await Shot(page, "faturamento-contratos-encerrar");
        await page.ClickAsync($"#confirmar-encerrar-{contractId}");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Equal("30/06/2026", (await page.TextContentAsync($"#contrato-{contractId} td.fim"))?.Trim());
        var stored = await (await admin.GetAsync($"/api/billing/contracts/{contractId}")).JsonAsync();
        Assert.Equal("2026-06-30", stored.GetProperty("endDate").GetString());

        // Valores avulsos, with an attachment
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7, 1, 2, 3 };
        await page.ClickAsync("header nav a:has-text('Valores avulsos')");
        await page.WaitForURLAsync("**/admin/faturamento/avulsos");
        await page.FillAsync("#cliente", code);
        await page.FillAsync("#data", "2026-06-20");
        await page.FillAsync("#vencimento", "2026-06-30");
        await page.FillAsync("#descricao", "Laudo técnico da instalação");
        await page.FillAsync("#valor", "80,00");
        await page.SetInputFilesAsync("#arquivo", new FilePayload { Name = "laudo.png", MimeType = "image/png", Buffer = png });
        await page.ClickAsync("#salvar");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains("laudo.png", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);
        var avulsoRow = page.Locator("#avulsos tr:has(td.descricao:text-is('Laudo técnico da instalação'))");
        var avulsoId = (await avulsoRow.GetAttributeAsync("id"))!["avulso-".Length..];
        Assert.Equal(png, await DownloadAsync(page, $"#anexo-avulso-{avulsoId}"));
        await Shot(page, "faturamento-avulsos");

        // Faturar todos, with a file in Arquivos
        var nfe = "NFT" + Guid.NewGuid().ToString("N")[..8];
        var nota = Encoding.ASCII.GetBytes("%PDF-1.4\n% nota fiscal " + nfe + "\n" + new string('x', 3000) + "\n%%EOF\n");
        await page.GotoAsync($"/admin/faturamento/faturar?cliente={code}&por=base&data=2026-07-01&todos=true");
        Assert.Equal(2, await page.Locator(".item-faturar").CountAsync());
        await page.FillAsync("#billingDate", "2026-07-01");
        await page.FillAsync("#dueDate", "2026-07-10");
        await page.FillAsync("#nfe", nfe);
        await page.SetInputFilesAsync("#arquivos", new FilePayload { Name = "nfe-" + nfe + ".pdf", MimeType = "application/pdf", Buffer = nota });
        await Shot(page, "faturamento-finalizar-arquivos");
        await page.ClickAsync("#confirmar-faturamento");
        await page.WaitForURLAsync("**/admin/faturamento/historico?*");
        Assert.Contains("1 arquivo(s)", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);

        // the history lists the file; its download gives back the very bytes uploaded
        await page.GotoAsync($"/admin/faturamento/historico?nfe={nfe}");
        var bid = (await page.Locator("tbody[id^=faturamento-]").GetAttributeAsync("id"))!["faturamento-".Length..];
        var link = page.Locator($"#anexos-{bid} a.anexo");
        Assert.Equal("nfe-" + nfe + ".pdf", (await link.TextContentAsync())?.Trim());
        Assert.Equal(nota, await DownloadAsync(page, $"#anexos-{bid} a.anexo"));
        await Shot(page, "faturamento-historico-anexos");

        // the four reports, read back
        var sintetico = await DownloadAsync(page, $"#pdf-sintetico-{bid}");
        var detalhado = await DownloadAsync(page, $"#pdf-detalhado-{bid}");
        var ligacoes = await DownloadAsync(page, $"#pdf-detalhado-ligacoes-{bid}");
        var agrupado = await DownloadAsync(page, $"#pdf-agrupado-circuito-{bid}");
        var (st, dt, lt, gt) = (Text(sintetico), Text(detalhado), Text(ligacoes), Text(agrupado));
        foreach (var t in new[] { st, dt, lt, gt })
        {
            Assert.Contains("Helena Telecom Telas", t, StringComparison.Ordinal);
            Assert.Contains("Laudo técnico da instalação", t, StringComparison.Ordinal);
            Assert.Contains("laudo.png", t, StringComparison.Ordinal);
        }
        Assert.Contains("sintético", st, StringComparison.Ordinal);
        Assert.DoesNotContain("Mensalidade", st, StringComparison.Ordinal);
        Assert.Contains("Mensalidade", dt, StringComparison.Ordinal);
        Assert.Contains("89,90", dt, StringComparison.Ordinal);
        foreach (var d in Destinations)
        {
            Assert.DoesNotContain(d, dt, StringComparison.Ordinal);
            Assert.Contains(d, lt, StringComparison.Ordinal);
            Assert.Contains(d, gt, StringComparison.Ordinal);
        }
        Assert.Contains("Ligações (3)", lt, StringComparison.Ordinal);
        Assert.Contains($"Circuito {account}", gt, StringComparison.Ordinal);
        Assert.Contains($"Subtotal do circuito {account}", gt, StringComparison.Ordinal);
        Assert.Contains("Sem circuito", gt, StringComparison.Ordinal);
        Assert.DoesNotContain("Subtotal", lt, StringComparison.Ordinal);

        // the avulso's attachment is a link in the report, and the link (no admin login) gives the file
        using (var doc = PdfDocument.Open(detalhado))
        {
            var uri = Assert.Single(doc.GetPages().SelectMany(p => p.GetHyperlinks()).Select(h => h.Uri), u => u is not null);
            Assert.Contains("/faturamento/anexos/", uri, StringComparison.Ordinal);
            var anonymous = await web.Http().GetAsync(new Uri(uri!).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
            Assert.Equal(png, await anonymous.Content.ReadAsByteArrayAsync());
        }

        // Enviar PDF por e-mail: a bad address is refused next to the field, then the report goes through the outbox
        await page.ClickAsync($"#email-{bid} > summary");
        await page.FillAsync($"#para-{bid}", "não é e-mail");
        await page.ClickAsync($"#enviar-email-{bid}");
        await page.Locator($"#email-{bid} #err-to").WaitForAsync();
        Assert.True(await page.Locator($"#email-{bid}").GetAttributeAsync("open") is not null);
        var to = "financeiro-" + Guid.NewGuid().ToString("N")[..6] + "@example.com";
        await page.FillAsync($"#para-{bid}", to);
        await page.SelectOptionAsync($"#tipo-{bid}", "detalhado-ligacoes");
        await Shot(page, "faturamento-enviar-email");
        await page.ClickAsync($"#enviar-email-{bid}");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains(to, await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);

        var sender = new OutboxSender(cluster.Db, cluster.Grains,
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Tls = "none", From = "faturas@operadora.test" }),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        while (await sender.SendDueAsync() > 0) { }
        MimeMessage mail;
        lock (smtp.Received) mail = smtp.Received.Single(m => m.To.Mailboxes.Any(x => x.Address == to));
        var part = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal($"faturamento-{bid}-detalhado-ligacoes.pdf", part.FileName);
        using var ms = new MemoryStream();
        await part.Content!.DecodeToAsync(ms);
        var mailed = Text(ms.ToArray());
        Assert.Contains("detalhado com ligações", mailed, StringComparison.Ordinal);
        foreach (var d in Destinations) Assert.Contains(d, mailed, StringComparison.Ordinal);

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheInvoiceDetailSectionHeadersAreClicked_ThenTheSectionsCollapseAndExpand()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Irene Seções Ltda");
        var account = await Seed.CircuitAsync(admin, customer, null);
        var gen = await (await admin.PostAsJsonAsync("/api/invoices/generate", new { period = "2026-05", account })).JsonAsync();
        var id = gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();

        var page = await web.LoggedInPageAsync();
        await page.SetViewportSizeAsync(390, 844); // a phone's width
        await page.GotoAsync($"/admin/faturas/{id}");
        foreach (var secao in new[] { "#secao-dados", "#secao-status", "#secao-historico" })
        {
            var body = page.Locator($"{secao} > :not(summary)").First;
            Assert.True(await body.IsVisibleAsync(), secao);
            await page.ClickAsync($"{secao} > summary");
            Assert.False(await body.IsVisibleAsync(), secao + " recolhida");
        }
        Assert.False(await page.Locator("#baixar-pdf").IsVisibleAsync());
        await Shot(page, "fatura-secoes-recolhidas");
        await page.ClickAsync("#secao-dados > summary");
        Assert.True(await page.Locator("#baixar-pdf").IsVisibleAsync());
        Assert.False(await page.Locator("#form-status").IsVisibleAsync());
        await Shot(page, "fatura-secao-expandida");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheBillingScreensGetBadInputOrNoLogin_ThenTheyRefuseAndChangeNothing()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var anonymous = web.Http();
        foreach (var path in new[] { "/admin/faturamento/contratos", "/admin/faturamento/avulsos", "/admin/faturamento/avulsos?handler=anexo&id=1" })
        {
            var r = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Contains("/admin/login", r.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/faturamento/anexos/nao-e-um-token")).StatusCode);

        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var billing = await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = cus, date = "2026-03-03", description = "Visita", amount = 50m });
        billing.EnsureSuccessStatusCode();
        var run = await admin.PostAsJsonAsync("/api/billing", new { customerId = cus, all = true, billingDate = "2026-03-31", dueDate = "2026-04-10" });
        Assert.Equal(HttpStatusCode.Created, run.StatusCode);
        var id = (await run.JsonAsync()).GetProperty("id").GetInt64();
        var bad = await admin.GetAsync($"/api/billing/{id}/report.pdf?type=xyz");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("type", out _));
        foreach (var kind in new[] { "sintetico", "detalhado", "detalhado-ligacoes", "agrupado-circuito" })
            Assert.Equal("application/pdf", (await admin.GetAsync($"/api/billing/{id}/report.pdf?type={kind}")).Content.Headers.ContentType!.MediaType);
        var email = await admin.PostAsJsonAsync($"/api/billing/{id}/email", new { to = "a@example.com", reportType = "xyz" });
        Assert.Equal(HttpStatusCode.BadRequest, email.StatusCode);
        var history = await (await admin.GetAsync($"/api/billing/{id}")).JsonAsync();
        Assert.DoesNotContain(history.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "email");
    }
}
