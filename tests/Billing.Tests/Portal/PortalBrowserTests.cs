using Billing.Tests.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Microsoft.Playwright;

namespace Billing.Tests.Portal;

/// <summary>The customer portal in Debian's Chromium (Playwright), against the API on real Kestrel.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PortalBrowserTests(ClusterFixture cluster, PortalFixture portal) : IClassFixture<PortalFixture>
{
    private Task<IPage> LoginAsync(PortalCircuit c, bool phone = false) => portal.LoginAsync(cluster, c, phone);

    [Fact]
    public async Task WhenTheWrongPasswordIsTyped_ThenItIsRefused_AndTheRightOneShowsTheOpenInvoice()
    {
        await portal.StartAsync(cluster);
        var c = await PortalScenario.CreateAsync(cluster);
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/portal/login");
        await page.FillAsync("#circuito", c.Account);
        await page.FillAsync("#senha", "SenhaErrada123");
        await page.ClickAsync("#entrar");
        var error = page.Locator("#login-error");
        await error.WaitForAsync();
        Assert.Contains("circuito ou senha inválidos", await error.InnerTextAsync(), StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(page, "login-erro");

        await page.FillAsync("#senha", c.Password);
        await page.ClickAsync("#entrar");
        await page.WaitForURLAsync("**/portal");
        Assert.Equal(c.Account, await page.InnerTextAsync("#portal-account"));
        await PortalFixture.ScreenshotAsync(page, "inicio");

        await page.ClickAsync("nav >> text=Faturas");
        await page.WaitForURLAsync("**/portal/faturas");
        var open = await page.InnerTextAsync("#fatura-aberta");
        Assert.Contains("Fatura em Aberto", open, StringComparison.Ordinal);
        Assert.Matches(@"R\$ \d{1,3}(\.\d{3})*,\d{2}", open);
        Assert.Equal(1, await page.Locator("#historico a.download").CountAsync()); // the issued one; the draft is not listed
        await PortalFixture.ScreenshotAsync(page, "faturas");
    }

    [Fact]
    public async Task WhenTheCustomerDownloadsAnInvoice_ThenItIsAPdf()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var page = await LoginAsync(c);
        await page.GotoAsync("/portal/faturas");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#historico a.download").First.ClickAsync());
        var path = await download.PathAsync();
        var head = new byte[4];
        await using (var f = File.OpenRead(path!))
            Assert.Equal(4, await f.ReadAsync(head));
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(head));
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WhenANumberIsAddedToTheBlacklistAndRemoved_ThenTheListFollows()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var page = await LoginAsync(c, phone: true);
        await page.ClickAsync("nav >> text=Blacklist");
        await page.WaitForURLAsync("**/portal/blacklist");
        await page.FillAsync("#numero", "(11) 98765-4321");
        await page.ClickAsync("#bloquear");
        await page.Locator("#blacklist >> text=+5511987654321").WaitForAsync();
        Assert.Contains("+5511987654321", (await cluster.Grains.Circuit(c.Account).GetBlacklist())!);
        await PortalFixture.ScreenshotAsync(page, "blacklist");

        await page.FillAsync("#numero", "abc");
        await page.ClickAsync("#bloquear");
        await page.Locator("#blacklist-error").WaitForAsync();

        await page.ClickAsync("#blacklist button:has-text('Remover')");
        await page.Locator("#blacklist-vazia").WaitForAsync();
        Assert.Empty((await cluster.Grains.Circuit(c.Account).GetBlacklist())!);
    }

    [Fact]
    public async Task WhenSigameIsSwitchedOnWithAnInvalidDestination_ThenTheErrorIsShownAndNothingChanges()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var page = await LoginAsync(c, phone: true);
        await page.GotoAsync("/portal/numeros");
        var card = page.Locator("#did-" + c.Did.TrimStart('+'));
        await card.Locator("input[name=sigame]").CheckAsync();
        await card.Locator("input[name=destino]").FillAsync("0900123");
        await card.Locator("button[type=submit]").ClickAsync();
        var error = page.Locator("#did-" + c.Did.TrimStart('+') + " .error");
        await error.WaitForAsync();
        Assert.Contains("siga-me", await error.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        await PortalFixture.ScreenshotAsync(page, "numeros-erro");
        Assert.False((await cluster.Grains.GetGrain<Billing.GrainInterfaces.Dids.IDidGrain>("did:" + c.Did).Get())!.Sigame.Enabled);

        // a valid destination and ACB are saved
        card = page.Locator("#did-" + c.Did.TrimStart('+'));
        await card.Locator("input[name=sigame]").CheckAsync();
        await card.Locator("input[name=destino]").FillAsync("1133334444");
        await card.Locator("input[name=acb]").CheckAsync();
        await card.Locator("button[type=submit]").ClickAsync();
        await page.Locator("div.ok").WaitForAsync();
        var did = await cluster.Grains.GetGrain<Billing.GrainInterfaces.Dids.IDidGrain>("did:" + c.Did).Get();
        Assert.True(did!.Sigame.Enabled);
        Assert.True(did.AcceptsCollect);
        await PortalFixture.ScreenshotAsync(page, "numeros");
    }

    [Fact]
    public async Task WhenTheCustomerOpensAnotherCircuitsUrls_ThenTheBrowserIsRefused_AndEveryOwnPageRenders()
    {
        var a = await PortalScenario.CreateAsync(cluster);
        var b = await PortalScenario.CreateAsync(cluster);
        var page = await LoginAsync(a);
        var other = await page.GotoAsync($"/portal/faturas/{b.IssuedInvoiceId}/pdf");
        Assert.Equal(404, other!.Status);
        await PortalFixture.ScreenshotAsync(page, "outro-circuito");

        foreach (var (url, name) in new[]
                 {
                     ("/portal/ligacoes/efetuadas", "ligacoes-efetuadas"), ("/portal/ligacoes/recebidas", "ligacoes-recebidas"),
                     ("/portal/grafico", "grafico"), ("/portal/tabela", "tabela"), ("/portal/perfil", "perfil"),
                     ("/portal/mensagem", "mensagem"), ("/portal/senha", "senha"),
                 })
        {
            var r = await page.GotoAsync(url);
            Assert.True(r!.Status == 200, url + " → " + r.Status);
            await PortalFixture.ScreenshotAsync(page, name);
        }
        await page.GotoAsync("/portal/grafico");
        Assert.Equal(1, await page.Locator("svg.chart").CountAsync());
        Assert.True(await page.Locator("svg.chart rect[fill='#1f77b4']").CountAsync() >= 12);
        await page.GotoAsync("/portal/ligacoes/efetuadas?numero=2133334444");
        Assert.True(await page.Locator("#ligacoes tr").CountAsync() >= 2);
        await page.GotoAsync("/portal/mensagem");
        Assert.Contains(PortalFixture.Mensagem, await page.ContentAsync(), StringComparison.Ordinal);

        await page.ClickAsync("header button:has-text('Sair')");
        await page.WaitForURLAsync("**/portal/login");
        var after = await page.GotoAsync("/portal/faturas");
        Assert.Contains("/portal/login", after!.Url, StringComparison.Ordinal);
    }
}
