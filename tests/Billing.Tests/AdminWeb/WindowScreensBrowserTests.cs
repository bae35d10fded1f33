using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// Tariff windows on the admin screens (issue 19) in Chromium: a plan with a "seg–sex 07:00–19:00" window at another
/// price typed on /admin/planos (an overlap refused next to its field first), listed with its window, and a simulated
/// call crossing 19:00 shown in two parts; operator holidays added and deleted on /admin/feriados.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WindowScreensBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    private static async Task<string[]> Cells(ILocator row) => [.. (await row.Locator("td").AllTextContentsAsync()).Select(s => s.Trim())];

    [Fact]
    public async Task WhenAPlanGetsAPeakWindowOnThePage_ThenItIsListedAndACallCrossing19hIsSimulatedInTwoParts()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var id = "0ws-" + Guid.NewGuid().ToString("N")[..8]; // sorts before the other tests' plans: on the list's first page
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/planos/novo");
        await page.FillAsync("#plano-id", id);
        await page.FillAsync("#plano-nome", "Plano horário " + id);
        await page.FillAsync("#plano-valido", "2026-01-01T00:00");
        await page.ClickAsync("#tipo-local_fixo > summary");
        await page.SelectOptionAsync("#local_fixo-modo", "tarifa");
        await page.FillAsync("#local_fixo-conexao", "0");
        await page.FillAsync("#local_fixo-faixa-0-de", "0");
        await page.FillAsync("#local_fixo-faixa-0-preco", "0,06");
        await page.FillAsync("#local_fixo-faixa-0-inc", "1");

        // a window: added with mon–fri ticked and the entry's tariff as a start; the admin sets hours and price
        await page.ClickAsync("#local_fixo-adicionar-janela");
        await page.Locator("#local_fixo-janela-0").WaitForAsync();
        foreach (var day in new[] { "mon", "tue", "wed", "thu", "fri" }) Assert.True(await page.IsCheckedAsync($"#local_fixo-janela-0-dia-{day}"));
        Assert.False(await page.IsCheckedAsync("#local_fixo-janela-0-dia-sat"));
        Assert.Equal("0,06", await page.InputValueAsync("#local_fixo-janela-0-faixa-0-preco"));
        Assert.Equal("0,06", await page.InputValueAsync("#local_fixo-faixa-0-preco")); // what was typed is kept
        await page.FillAsync("#local_fixo-janela-0-de", "07:00");
        await page.FillAsync("#local_fixo-janela-0-ate", "19:00");
        await page.FillAsync("#local_fixo-janela-0-faixa-0-preco", "0,12");

        // a second window on Friday 18:00–20:00 overlaps the first: refused next to its start, nothing stored
        await page.ClickAsync("#local_fixo-adicionar-janela");
        await page.Locator("#local_fixo-janela-1").WaitForAsync();
        foreach (var day in new[] { "mon", "tue", "wed", "thu" }) await page.UncheckAsync($"#local_fixo-janela-1-dia-{day}");
        await page.FillAsync("#local_fixo-janela-1-de", "18:00");
        await page.FillAsync("#local_fixo-janela-1-ate", "20:00");
        await page.ClickAsync("#salvar");
        var overlap = page.Locator("div:has(> #local_fixo-janela-1-de) > .field-error");
        await overlap.WaitForAsync();
        var message = await overlap.TextContentAsync() ?? "";
        Assert.Contains("sex das 18:00 às 19:00", message, StringComparison.Ordinal);
        Assert.Contains("janela 2", message, StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("#local_fixo-janela-1-de", "aria-invalid"));
        Assert.Equal("false", await page.GetAttributeAsync("#local_fixo-janela-0-de", "aria-invalid"));
        Assert.Equal("0,12", await page.InputValueAsync("#local_fixo-janela-0-faixa-0-preco"));
        Assert.Null(await cluster.Grains.GetGrain<IPlanGrain>("plan:" + id).Get());
        await Shot(page, "plano-janela-sobreposta");

        await page.ClickAsync("#local_fixo-janela-1-remover");
        await page.Locator("#local_fixo-janela-1").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal(0, await page.Locator("#plano-form .field-error").CountAsync());
        await page.ClickAsync("#salvar");
        await page.WaitForURLAsync("**/admin/planos/" + id);
        Assert.Contains("criado", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Contains("↳ seg–sex 07:00–19:00: R$ 0,12/min", await page.TextContentAsync("#versao-1") ?? "", StringComparison.Ordinal);

        // stored as typed, through the same API
        var plan = await (await admin.GetAsync("/api/plans/" + id)).JsonAsync();
        var windows = plan.GetProperty("versions")[0].GetProperty("entries").GetProperty("local_fixo").GetProperty("windows");
        Assert.Equal(1, windows.GetArrayLength());
        Assert.Equal(["mon", "tue", "wed", "thu", "fri"], windows[0].GetProperty("days").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("07:00", windows[0].GetProperty("from").GetString());
        Assert.Equal("19:00", windows[0].GetProperty("to").GetString());
        Assert.Equal(0.12m, windows[0].GetProperty("tariff").GetProperty("slots")[0].GetProperty("pricePerMinute").GetDecimal());

        // the form of the next version starts from the stored window
        Assert.Equal("07:00", await page.InputValueAsync("#local_fixo-janela-0-de"));
        Assert.True(await page.IsCheckedAsync("#local_fixo-janela-0-dia-fri"));
        Assert.False(await page.IsCheckedAsync("#local_fixo-janela-0-dia-holiday"));

        // Wednesday 2026-12-02 18:59, 120 s: 60 s in the window at 0,12/min, 60 s after 19:00 at 0,06/min
        await page.FillAsync("#sim-numero", "1133334444");
        await page.FillAsync("#sim-duracao", "120");
        await page.FillAsync("#sim-ddd", "11");
        await page.FillAsync("#sim-inicio", "2026-12-02T18:59");
        await page.ClickAsync("#simular");
        await page.Locator("#sim-partes").WaitForAsync();
        var preview = await (await admin.PostAsJsonAsync("/api/rating/preview", new
        {
            planId = id, areaCode = "11", destination = "1133334444", durationSeconds = 120,
            at = new DateTimeOffset(2026, 12, 2, 18, 59, 0, TimeSpan.FromHours(-3)),
        })).JsonAsync();
        Assert.Equal(0.18m, preview.GetProperty("cost").GetDecimal());
        Assert.Equal(Money.Format(preview.GetProperty("cost").GetDecimal()), (await page.TextContentAsync("#sim-custo"))?.Trim());
        var parts = page.Locator("#sim-partes tbody tr");
        Assert.Equal(preview.GetProperty("parts").GetArrayLength(), await parts.CountAsync());
        Assert.Equal(["1", "seg–sex 07:00–19:00", "02/12/2026 18:59:00", "0", "60", "0,12"], await Cells(parts.Nth(0)));
        Assert.Equal(["2", "fora das janelas (tarifa do tipo)", "02/12/2026 19:00:00", "60", "60", "0,06"], await Cells(parts.Nth(1)));
        Assert.Equal(0, await page.Locator("#sim-faixas").CountAsync()); // the one-tariff slot table would mislead here
        await Shot(page, "plano-janelas-simulacao");

        // the plan list shows the window
        await page.GotoAsync("/admin/planos");
        var row = page.Locator($"tbody tr:has(a:text-is('{id}'))");
        Assert.Equal("Local fixo: seg–sex 07:00–19:00: R$ 0,12/min", (await row.Locator("td.janelas").TextContentAsync())?.Trim());
        await Shot(page, "planos-janelas");
        await page.Context.CloseAsync();

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync("/admin/planos/" + id);
        await phone.ClickAsync("#tipo-local_fixo > summary");
        await Shot(phone, "plano-janelas-celular");
        await phone.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheOperatorAddsAndDeletesAHolidayOnThePage_ThenTheApiListsItAndThenNot()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var day = new DateOnly(2095, 1, 1).AddDays(Random.Shared.Next(0, 365));
        var year = day.Year.ToString(CultureInfo.InvariantCulture);
        var name = "Aniversário da cidade " + Guid.NewGuid().ToString("N")[..6];

        async Task<JsonElement?> Listed()
        {
            var list = await (await admin.GetAsync("/api/holidays?year=" + year)).JsonAsync();
            return list.GetProperty("holidays").EnumerateArray().Where(h => h.GetProperty("name").GetString() == name)
                .Select(h => (JsonElement?)h).FirstOrDefault();
        }

        var page = await web.LoggedInPageAsync();
        await page.ClickAsync("nav a[href='/admin/feriados']");
        await page.WaitForURLAsync("**/admin/feriados");
        await page.FillAsync("#ano", "2027");
        await page.ClickAsync("#ver-ano");
        await page.WaitForURLAsync("**/admin/feriados?ano=2027");
        var friday = page.Locator("#feriados tbody tr:has(td:text-is('Sexta-feira Santa'))");
        Assert.Equal(["26/03/2027", "sexta-feira", "Sexta-feira Santa", "todo o país", "Nacional", ""], await Cells(friday));
        await Shot(page, "feriados");

        // no name: refused next to the field, nothing stored
        await page.FillAsync("#ano", year);
        await page.ClickAsync("#ver-ano");
        await page.FillAsync("#feriado-data", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.SelectOptionAsync("#feriado-uf", "SP");
        await page.ClickAsync("#incluir-feriado");
        await page.Locator("div:has(> #feriado-nome) > .field-error").WaitForAsync();
        Assert.Equal("true", await page.GetAttributeAsync("#feriado-nome", "aria-invalid"));
        Assert.Equal("SP", await page.InputValueAsync("#feriado-uf")); // what was chosen is kept
        Assert.Null(await Listed());

        await page.FillAsync("#feriado-nome", name);
        await page.ClickAsync("#incluir-feriado");
        await page.WaitForURLAsync("**/admin/feriados?ano=" + year);
        Assert.Contains(name, await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        var stored = await Listed();
        Assert.NotNull(stored);
        Assert.Equal("SP", stored.Value.GetProperty("uf").GetString());
        Assert.False(stored.Value.GetProperty("national").GetBoolean());
        var id = stored.Value.GetProperty("id").GetInt64();
        var row = page.Locator($"#feriado-{id}");
        Assert.Equal([day.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), name, "SP (São Paulo)", "Operadora"],
            (await Cells(row)).Where((_, i) => i is 0 or 2 or 3 or 4));

        // delete: a confirmation first; cancelling keeps it
        await page.ClickAsync($"#excluir-{id}");
        var dialog = page.Locator($"#confirmar-{id}");
        await dialog.WaitForAsync();
        Assert.Contains(name, await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "feriado-excluir");
        await dialog.Locator("[data-fechar]").ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        Assert.NotNull(await Listed());

        await page.ClickAsync($"#excluir-{id}");
        await page.ClickAsync($"#confirmar-excluir-{id}");
        await page.WaitForURLAsync("**/admin/feriados?ano=" + year);
        Assert.Contains("excluído", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator($"#feriado-{id}").CountAsync());
        Assert.Null(await Listed());
        await page.Context.CloseAsync();

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync("/admin/feriados?ano=2027");
        await Shot(phone, "feriados-celular");
        await phone.Context.CloseAsync();
    }
}
