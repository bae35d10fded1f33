using System.Net;
using System.Net.Http.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Billing.Tests.Portal;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// Low-balance alerts (issue 19) where people see them, in Debian's Chromium: the portal's banner while the available
/// balance is below a threshold (gone after a credit), the admin list's "Saldo baixo" filter and the thresholds field of
/// the circuit form.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LowBalanceBrowserTests(ClusterFixture cluster, PortalFixture portal, ITestOutputHelper output) : IClassFixture<PortalFixture>
{
    private async Task<string> CircuitAsync(HttpClient admin, long customer, decimal[]? thresholds, decimal credit)
    {
        var account = Seed.NewAccount();
        var r = await admin.PostAsJsonAsync("/api/circuits", new
        {
            account, name = "Circuito " + account, customerId = customer, areaCode = "11", lowBalanceThresholds = thresholds,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        return account;
    }

    /// <summary>The list reads the circuits read model, whose balance the circuit writes with its snapshot (timer): waits for it.</summary>
    private async Task ReadModelBalanceAsync(string account, decimal balance)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (true)
        {
            await using var cmd = cluster.Db.CreateCommand("SELECT balance FROM circuits WHERE account = @a");
            cmd.Parameters.AddWithValue("a", account);
            if ((decimal)(await cmd.ExecuteScalarAsync())! == balance) return;
            Assert.True(DateTime.UtcNow < deadline, $"saldo de {account} não chegou a {balance} na lista");
            await Task.Delay(250);
        }
    }

    private static async Task<List<string>> ListedAsync(IPage page) =>
        [.. (await page.Locator("table tbody tr td:first-child a").AllTextContentsAsync()).Select(t => t.Trim())];

    [Fact]
    public async Task WhenTheBalanceIsBelowAThreshold_ThenThePortalShowsABannerAndTheAdminListFiltersSaldoBaixo()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Padaria Saldo Baixo " + Guid.NewGuid().ToString("N")[..4]);
        var low = await CircuitAsync(admin, customer, [50m], 40m);      // 40 < 50
        var fine = await CircuitAsync(admin, customer, [50m], 100m);    // 100 ≥ 50
        var off = await CircuitAsync(admin, customer, [], 0m);          // no thresholds: never "saldo baixo"
        await ReadModelBalanceAsync(low, 40m);
        await ReadModelBalanceAsync(fine, 100m);

        // REST: the same filter
        var api = await (await admin.GetAsync($"/api/circuits?customerId={customer}&lowBalance=true")).JsonAsync();
        Assert.Equal([low], api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("account").GetString()));

        var web = await AdminWebServer.ForAsync(cluster);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos?cliente={customer}");
        Assert.Equal(new[] { low, fine, off }.Order(StringComparer.Ordinal), (await ListedAsync(page)).Order(StringComparer.Ordinal));
        await page.SelectOptionAsync("#saldo", "baixo");
        await page.ClickAsync("form.card button[type=submit]");
        await page.WaitForURLAsync("**saldo=baixo**");
        Assert.Equal([low], await ListedAsync(page));
        output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, "circuitos-saldo-baixo"));

        // the circuit form: thresholds typed pt-BR, separated by ";"; a bad one is refused next to the field
        await page.GotoAsync($"/admin/circuitos/{fine}");
        await page.FillAsync("#lowBalanceThresholds", "150,00; 20; 20");
        await page.ClickAsync("#salvar");
        await page.Locator("#err-lowBalanceThresholds").WaitForAsync();
        Assert.Contains("repetir", await page.TextContentAsync("#err-lowBalanceThresholds") ?? "", StringComparison.Ordinal);
        await page.FillAsync("#lowBalanceThresholds", "150,00; 20");
        await page.ClickAsync("#salvar");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains("Circuito salvo", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);
        Assert.Equal("150,00; 20,00", await page.InputValueAsync("#lowBalanceThresholds"));
        var saved = await (await admin.GetAsync($"/api/circuits/{fine}")).JsonAsync();
        Assert.Equal([150m, 20m], saved.GetProperty("lowBalanceThresholds").EnumerateArray().Select(e => e.GetDecimal()));
        await page.GotoAsync($"/admin/circuitos?cliente={customer}&saldo=baixo");
        Assert.Equal(new[] { low, fine }.Order(StringComparer.Ordinal), (await ListedAsync(page)).Order(StringComparer.Ordinal));

        // the portal: a banner on every page while below; a credit that lifts it above takes it away
        var password = "Senha" + Random.Shared.Next(1000, 9999) + "web";
        Assert.True((await cluster.Grains.Circuit(low).SetWebPassword(password, "test")).IsOk);
        var customerPage = await portal.LoginAsync(cluster, new PortalCircuit(low, customer, password, 0, 0, ""));
        var banner = customerPage.Locator("#saldo-baixo");
        await banner.WaitForAsync();
        var text = await banner.InnerTextAsync();
        Assert.Contains("R$ 40,00", text, StringComparison.Ordinal);
        Assert.Contains("abaixo de R$ 50,00", text, StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(customerPage, "saldo-baixo");
        await customerPage.GotoAsync("/portal/senha");
        Assert.Equal(1, await customerPage.Locator("#saldo-baixo").CountAsync());
        await Seed.CreditAsync(admin, low, 20m);
        await customerPage.GotoAsync("/portal");
        Assert.Equal(0, await customerPage.Locator("#saldo-baixo").CountAsync());
    }
}
