using System.Net;
using System.Net.Http.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Billing.Tests.Portal;

/// <summary>
/// The portal's Tabela with tariff windows (issue 19), in Chromium: per call type the price outside the windows and
/// each window's days (pt-BR), hours and price; the circuit's time zone named when it is not São Paulo's.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PortalTabelaWindowsBrowserTests(ClusterFixture cluster, PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static object PerSecond(decimal price, decimal connectFee = 0m) => new
    {
        connectFee,
        slots = new object[] { new { fromSecond = 0, pricePerMinute = price, incrementSeconds = 1 } },
        minimumSeconds = 0,
        freeSeconds = 0,
    };

    /// <summary>A circuit on a plan whose local landline calls cost 0,06/min, 0,12/min mon–fri 07–19 and 0,03/min on holidays.</summary>
    private async Task<PortalCircuit> CircuitAsync(string? timeZone)
    {
        var admin = cluster.AsAdmin();
        var plan = "tw-" + Guid.NewGuid().ToString("N")[..8];
        var r = await admin.PostAsJsonAsync("/api/plans", new
        {
            id = plan,
            name = "Plano horário " + plan,
            validFrom = DateTimeOffset.UtcNow.AddDays(-30),
            entries = new
            {
                local_fixo = new
                {
                    tariff = PerSecond(0.06m),
                    windows = new object[]
                    {
                        new { days = new[] { "mon", "tue", "wed", "thu", "fri" }, from = "07:00", to = "19:00", tariff = PerSecond(0.12m, 0.05m) },
                        new { days = new[] { "sat", "holiday" }, from = "00:00", to = "24:00", tariff = PerSecond(0.03m) },
                    },
                },
                ldn_fixo = new { tariff = PerSecond(0.20m) },
            },
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, plan);
        var grain = cluster.Grains.Circuit(account);
        var view = await grain.Get();
        var up = await grain.Update(view!.Data with { Flags = PortalScenario.AllOn, TimeZone = timeZone ?? CircuitData.DefaultTimeZone }, "test");
        Assert.True(up.IsOk, up.Message);
        var password = "Senha" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture) + "web";
        Assert.True((await grain.SetWebPassword(password, "test")).IsOk);
        return new PortalCircuit(account, customer, password, 0, 0, "");
    }

    private static async Task<string[]> Cells(ILocator row) => [.. (await row.Locator("td").AllTextContentsAsync()).Select(s => s.Trim())];

    [Fact]
    public async Task WhenThePlanHasWindows_ThenTabelaListsEachWindowAndTheCircuitsTimeZone()
    {
        var c = await CircuitAsync("America/Manaus");
        var page = await portal.LoginAsync(cluster, c);
        await page.GotoAsync("/portal/tabela");
        var rows = page.Locator("#tabela tr:has(td)");
        Assert.Equal(4, await rows.CountAsync());
        Assert.Equal(["Local fixo", "demais horários", "R$ 0,06", "1 s", "R$ 0,00"], await Cells(rows.Nth(0)));
        Assert.Equal(["", "seg–sex 07:00–19:00", "R$ 0,12", "1 s", "R$ 0,05"], await Cells(rows.Nth(1)));
        Assert.Equal(["", "sáb, feriado 00:00–24:00", "R$ 0,03", "1 s", "R$ 0,00"], await Cells(rows.Nth(2)));
        Assert.Equal("todos os horários", (await Cells(rows.Nth(3)))[1]);
        Assert.Contains("America/Manaus", await page.TextContentAsync("#fuso") ?? "", StringComparison.Ordinal);
        Assert.Contains("por partes", await page.TextContentAsync("#janelas-nota") ?? "", StringComparison.Ordinal);
        await PortalFixture.ScreenshotAsync(page, "tabela-janelas");
        await page.Context.CloseAsync();

        var phone = await portal.LoginAsync(cluster, c, phone: true);
        await phone.GotoAsync("/portal/tabela");
        await PortalFixture.ScreenshotAsync(phone, "tabela-janelas-celular");
        await phone.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheCircuitIsOnSaoPauloTime_ThenNoTimeZoneIsNamed()
    {
        var c = await CircuitAsync(null);
        var page = await portal.LoginAsync(cluster, c);
        await page.GotoAsync("/portal/tabela");
        await page.Locator("#tabela").WaitForAsync();
        Assert.Equal(0, await page.Locator("#fuso").CountAsync());
        Assert.Contains("Horários de Brasília", await page.TextContentAsync("#janelas-nota") ?? "", StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
