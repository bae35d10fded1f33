using System.Net;
using System.Net.Http.Json;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>Faturamentos pendentes in Debian's Chromium: list, Faturar with live Valor Real, history, Estornar.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminBillingBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    internal static async Task<long> AvulsoAsync(HttpClient admin, long customer, string date, string description, decimal amount)
    {
        var r = await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = customer, date, description, amount });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("pendingItemId").GetInt64();
    }

    private static async Task<string[]> PendingDescriptionsAsync(IPage page, long customer)
    {
        await page.GotoAsync($"/admin/faturamento?por=base&data=2026-02-15&clientes={customer}");
        var box = page.Locator($"#cliente-{customer}");
        if (await box.CountAsync() == 0) return [];
        return [.. (await box.Locator("tbody tr td:nth-child(3)").AllTextContentsAsync()).Select(t => t.Trim()).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task WhenTwoOfThreeItemsAreBilledWithADiscount_ThenValorRealUpdatesLive_TheHistoryShowsIt_AndEstornarMakesThemPendingAgain()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Giovana Telecom Faturamento");
        var instalacao = await AvulsoAsync(admin, customer, "2026-02-10", "Instalação PABX", 100m);
        var visita = await AvulsoAsync(admin, customer, "2026-02-12", "Visita técnica", 40m);
        await AvulsoAsync(admin, customer, "2026-02-14", "Treinamento", 25.50m);
        await AvulsoAsync(admin, customer, "2026-02-20", "Configuração extra", 60m); // after the base date
        var nfe = "NF" + Guid.NewGuid().ToString("N")[..8];

        // the menu entry and the filters: base date 15/02 shows the three items up to it, not the one after
        var page = await web.LoggedInPageAsync();
        await page.ClickAsync("header nav a:has-text('Faturamentos pendentes')");
        await page.WaitForURLAsync("**/admin/faturamento");
        await page.SelectOptionAsync("#por", "base");
        await page.FillAsync("#data", "2026-02-15");
        await page.FillAsync("#clientes", customer.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("#tipo", "all");
        await page.ClickAsync("#exibir");
        await page.WaitForURLAsync("**/admin/faturamento?*");
        var box = page.Locator($"#cliente-{customer}");
        Assert.Equal("R$ 165,50", (await box.Locator(".total-cliente").TextContentAsync())?.Trim());
        await page.ClickAsync($"#cliente-{customer} > summary"); // expand to the items
        Assert.Equal(3, await box.Locator("tbody tr").CountAsync());
        Assert.DoesNotContain("Configuração extra", await box.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "faturamento-pendentes");

        // Faturar two of the three
        await page.CheckAsync($"#sel-{instalacao}");
        await page.CheckAsync($"#sel-{visita}");
        await page.ClickAsync($"#faturar-{customer}");
        await page.WaitForURLAsync("**/admin/faturamento/faturar?*");
        Assert.Equal(2, await page.Locator(".item-faturar").CountAsync());
        Assert.Equal("R$ 140,00", (await page.TextContentAsync("#valor-real"))?.Trim());
        Assert.Contains("Instalação PABX", await page.InputValueAsync("#notes"), StringComparison.Ordinal); // notes prefilled
        var key = await page.InputValueAsync("#chave");
        Assert.False(string.IsNullOrEmpty(key));

        // Valor Real follows what is typed, before anything is submitted
        await page.FillAsync("#desconto", "15,50");
        Assert.Equal("R$ 124,50", (await page.TextContentAsync("#valor-real"))?.Trim());
        await page.FillAsync("#juros", "2");
        Assert.Equal("R$ 126,50", (await page.TextContentAsync("#valor-real"))?.Trim());

        // a discount bigger than total + interest: the browser shows it negative and the server refuses it next to the field
        await page.FillAsync("#desconto", "200");
        Assert.Equal("-R$ 58,00", (await page.TextContentAsync("#valor-real"))?.Trim());
        await page.ClickAsync("#confirmar-faturamento");
        await page.Locator("#err-discount").WaitForAsync();
        Assert.Equal("true", await page.GetAttributeAsync("#desconto", "aria-invalid"));
        Assert.Equal(1, await page.Locator("div:has(> #desconto) > #err-discount").CountAsync());
        Assert.Equal(key, await page.InputValueAsync("#chave")); // same form, same key
        await Shot(page, "faturamento-desconto-invalido");

        await page.FillAsync("#desconto", "15,50");
        await page.FillAsync("#nfe", nfe);
        await page.FillAsync("#billingDate", "2026-02-15");
        await page.FillAsync("#dueDate", "2026-02-25");
        Assert.Equal("R$ 126,50", (await page.TextContentAsync("#valor-real"))?.Trim());
        await Shot(page, "faturamento-finalizar");
        await page.ClickAsync("#confirmar-faturamento");
        await page.WaitForURLAsync("**/admin/faturamento/historico?*");
        Assert.Contains("criado", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);

        // the history by NFe number
        await page.GotoAsync("/admin/faturamento/historico");
        await page.FillAsync("#nfe", nfe);
        await page.ClickAsync("#pesquisar");
        await page.WaitForURLAsync("**/historico?*");
        var rows = page.Locator("tbody[id^=faturamento-]");
        Assert.Equal(1, await rows.CountAsync());
        var id = (await rows.GetAttributeAsync("id"))!["faturamento-".Length..];
        Assert.Equal("126,50", (await page.TextContentAsync($"#faturamento-{id} .valor-real"))?.Trim());
        Assert.Equal("FATURADO", (await page.TextContentAsync($"#status-{id}"))?.Trim());
        await page.ClickAsync($"#itens-{id} > summary");
        var items = await page.TextContentAsync($"#itens-{id}") ?? "";
        Assert.Contains("Instalação PABX", items, StringComparison.Ordinal);
        Assert.Contains("Visita técnica", items, StringComparison.Ordinal);
        Assert.DoesNotContain("Treinamento", items, StringComparison.Ordinal);
        await Shot(page, "faturamento-historico");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"#pdf-detalhado-{id}"));
        var pdfPath = Path.Combine(AdminWebServer.ScreenshotDir, "admin-faturamento-detalhado.pdf");
        await download.SaveAsAsync(pdfPath);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(pdfPath), 0, 4));

        // the third item is still pending
        Assert.Equal(["Treinamento"], await PendingDescriptionsAsync(page, customer));

        // Estornar: confirmation dialog; a reason is required
        await page.GotoAsync($"/admin/faturamento/historico?nfe={nfe}");
        await page.ClickAsync($"#estornar-{id}");
        var dialog = page.Locator($"#confirmar-estorno-{id}");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.ClickAsync($"#confirmar-estorno-btn-{id}");
        await page.Locator("#err-reason").WaitForAsync(); // the dialog opens again with the error
        Assert.True(await dialog.IsVisibleAsync());
        await page.FillAsync($"#motivo-{id}", "NFe emitida com valor errado");
        await Shot(page, "faturamento-estornar");
        await page.ClickAsync($"#confirmar-estorno-btn-{id}");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains("estornado", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);
        Assert.Equal("CANCELADO", (await page.TextContentAsync($"#status-{id}"))?.Trim());
        Assert.Equal(0, await page.Locator($"#estornar-{id}").CountAsync());

        var billing = await (await admin.GetAsync($"/api/billing/{id}")).JsonAsync();
        Assert.Equal(AdminWebServer.User, billing.GetProperty("cancelledBy").GetString());
        Assert.Equal(AdminWebServer.User, billing.GetProperty("createdBy").GetString());

        Assert.Equal(["Instalação PABX", "Treinamento", "Visita técnica"], await PendingDescriptionsAsync(page, customer));
        await page.Context.CloseAsync();

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync($"/admin/faturamento?por=base&data=2026-02-15&clientes={customer}");
        await phone.ClickAsync($"#cliente-{customer} > summary");
        await Shot(phone, "faturamento-pendentes-celular");
        await phone.Context.CloseAsync();
    }
}
