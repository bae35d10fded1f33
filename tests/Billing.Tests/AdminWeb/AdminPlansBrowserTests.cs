using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Billing.GrainInterfaces.Common;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>/admin/planos in Chromium: create a plan, see a field error next to its slot, add a version, simulate a call.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminPlansBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    [Fact]
    public async Task WhenAPlanIsCreatedAndACallSimulated_ThenTheCostShownIsThePreviewsAndTheSlotsExplainIt()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var id = "pl-" + Guid.NewGuid().ToString("N")[..8];
        var name = "Plano Nacional " + id;

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/planos");
        await page.ClickAsync("#novo-plano");
        await page.WaitForURLAsync("**/admin/planos/novo");
        await page.FillAsync("#plano-id", id);
        await page.FillAsync("#plano-nome", name);
        await page.ClickAsync("#tipo-local_fixo > summary");
        await page.SelectOptionAsync("#local_fixo-modo", "tarifa");
        await page.FillAsync("#local_fixo-conexao", "0,05");
        await page.FillAsync("#local_fixo-gratuitos", "3");
        await page.FillAsync("#local_fixo-faixa-0-de", "0");
        await page.FillAsync("#local_fixo-faixa-0-preco", "0,123456");
        await page.FillAsync("#local_fixo-faixa-0-inc", "7"); // 30 s is not a whole number of 7 s increments
        await page.FillAsync("#local_fixo-faixa-1-de", "30");
        await page.FillAsync("#local_fixo-faixa-1-preco", "0,123456");
        await page.FillAsync("#local_fixo-faixa-1-inc", "6");
        await page.ClickAsync("#salvar");

        var error = page.Locator("td:has(> #local_fixo-faixa-0-inc) > .field-error");
        await error.WaitForAsync();
        Assert.Contains("múltipla do seu incremento", await error.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("#local_fixo-faixa-0-inc", "aria-invalid"));
        Assert.Equal("0,123456", await page.InputValueAsync("#local_fixo-faixa-1-preco")); // what was typed is kept
        await Shot(page, "plano-erro-faixa");
        Assert.Null(await cluster.Grains.GetGrain<GrainInterfaces.Rating.IPlanGrain>("plan:" + id).Get()); // nothing stored

        await page.FillAsync("#local_fixo-faixa-0-inc", "30");
        await page.ClickAsync("#salvar");
        await page.WaitForURLAsync("**/admin/planos/" + id);
        Assert.Contains("criado", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#versao-1").CountAsync());

        // simulate a local landline call of 47 s in DDD 11
        await page.FillAsync("#sim-numero", "1133334444");
        await page.FillAsync("#sim-duracao", "47");
        await page.FillAsync("#sim-ddd", "11");
        await page.ClickAsync("#simular");
        await page.Locator("#sim-custo").WaitForAsync();
        var preview = await (await admin.PostAsJsonAsync("/api/rating/preview",
            new { planId = id, areaCode = "11", destination = "1133334444", durationSeconds = 47 })).JsonAsync();
        var cost = preview.GetProperty("cost").GetDecimal();
        Assert.Equal(0.15m, cost); // 0,05 + (30 + 18) s × 0,123456 / 60 = 0,1487648
        Assert.Equal(Money.Format(cost), (await page.TextContentAsync("#sim-custo"))?.Trim());
        Assert.Equal(preview.GetProperty("billedSeconds").GetInt32().ToString(CultureInfo.InvariantCulture), (await page.TextContentAsync("#sim-segundos"))?.Trim());
        Assert.Equal("Local fixo", (await page.TextContentAsync("#sim-tipo"))?.Trim());
        var slots = page.Locator("#sim-faixas tbody tr");
        Assert.Equal(2, await slots.CountAsync());
        Assert.Equal(["1", "0", "0,123456", "30", "30", "30", "0,061728"], (await slots.Nth(0).Locator("td").AllTextContentsAsync()).Select(s => s.Trim()));
        Assert.Equal(["2", "30", "0,123456", "6", "17", "18", "0,037037"], (await slots.Nth(1).Locator("td").AllTextContentsAsync()).Select(s => s.Trim()));
        await Shot(page, "plano-simulacao");

        // a type the plan does not sell, and a number that is not one
        await page.FillAsync("#sim-numero", "11987654321");
        await page.ClickAsync("#simular");
        await page.Locator("#simulacao-problema").WaitForAsync();
        Assert.Contains("não tarifa", await page.TextContentAsync("#simulacao-problema") ?? "", StringComparison.Ordinal);
        await page.FillAsync("#sim-numero", "12");
        await page.ClickAsync("#simular");
        await page.Locator("div:has(> #sim-numero) > .field-error").WaitForAsync();

        // a second version from tomorrow with another price
        var tomorrow = SaoPauloTime.Local(DateTimeOffset.UtcNow.AddDays(1));
        await page.GotoAsync("/admin/planos/" + id);
        await page.FillAsync("#plano-valido", tomorrow.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
        await page.FillAsync("#local_fixo-faixa-0-preco", "0,2");
        await page.FillAsync("#local_fixo-faixa-1-preco", "0,2");
        await page.ClickAsync("#salvar");
        await page.Locator("#versao-2").WaitForAsync();
        Assert.Contains("Versão 2", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Contains("futura", await page.TextContentAsync("#versao-2") ?? "", StringComparison.Ordinal);
        Assert.Contains("em vigor", await page.TextContentAsync("#versao-1") ?? "", StringComparison.Ordinal);
        var plan = await (await admin.GetAsync("/api/plans/" + id)).JsonAsync();
        Assert.Equal(2, plan.GetProperty("currentVersion").GetInt32());
        Assert.Equal(0.2m, plan.GetProperty("versions")[1].GetProperty("entries").GetProperty("local_fixo")
            .GetProperty("tariff").GetProperty("slots")[0].GetProperty("pricePerMinute").GetDecimal());
        await Shot(page, "plano-editar");

        await page.GotoAsync("/admin/planos");
        Assert.Equal(1, await page.Locator($"td a:has-text('{id}')").CountAsync());
        await Shot(page, "planos");

        // the circuit list names the plan
        var customer = await Seed.CustomerAsync(admin);
        await Seed.CircuitAsync(admin, customer, id);
        await page.GotoAsync($"/admin/circuitos?cliente={customer}");
        Assert.Equal(name, (await page.Locator("tbody tr").First.Locator("td").Nth(3).TextContentAsync())?.Trim());
        await page.Context.CloseAsync();

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync("/admin/planos/" + id);
        await Shot(phone, "plano-celular");
        await phone.Context.CloseAsync();
    }
}
