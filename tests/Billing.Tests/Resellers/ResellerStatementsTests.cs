using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Resellers;

/// <summary>
/// "Faturas Fechadas Revenda" of the open month on the shared cluster. Closing months needs a clock of its own (the closing
/// reminder closes every ended month of the database): <see cref="ResellerStatementClosingTests"/>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ResellerStatementsTests(ClusterFixture cluster)
{
    private static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    private static DateTime MonthStart(int monthsBack)
    {
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, SaoPaulo);
        return new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(-monthsBack);
    }

    private static string Ref(DateTime month) => month.ToString("MM/yyyy", CultureInfo.InvariantCulture);

    [Fact]
    public async Task WhenTheMonthIsOpen_ThenTheStatementIsLiveAndNotClosed()
    {
        var admin = cluster.AsAdmin();
        var sw = cluster.AsSwitch();
        var name = "Revenda Aberta " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, name, didFee: 3m, completion: 0.12m);
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        var did = await ResellerSeed.DidAsync(admin, reseller, account);
        var callId = "st-" + Guid.NewGuid().ToString("N");
        Assert.True((await ResellerSeed.InboundAsync(sw, callId, did, "1155556666")).Allowed());
        await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 120 });

        var current = Ref(MonthStart(0));
        var page = await (await admin.GetAsync($"/api/reports/reseller-statements?reference={Uri.EscapeDataString(current)}&search={Uri.EscapeDataString(name)}")).JsonAsync();
        var row = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.False(row.GetProperty("closed").GetBoolean());
        Assert.Equal(3.24m, row.GetProperty("saldo").GetDecimal());
        await InboundCallsTests.WaitForTotals(admin, reseller, 0.24m);
    }

    [Fact]
    public async Task WhenAResellerNameLooksLikeAFormula_ThenTheCsvWritesItAsText_AndAmountsStayNumbers()
    {
        var admin = cluster.AsAdmin();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var names = new[] { "=1+2 Revenda " + tag, "@SOMA Revenda " + tag, "+55 Revenda " + tag, "-1 Revenda " + tag };
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        foreach (var n in names)
        {
            var reseller = await ResellerSeed.ResellerAsync(admin, n, didFee: 3m, completion: 0.12m);
            await ResellerSeed.DidAsync(admin, reseller, account);
        }

        var csv = await admin.GetAsync($"/api/reports/reseller-statements.csv?reference={Uri.EscapeDataString(Ref(MonthStart(0)))}&search={tag}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF')
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Skip(1).ToList();
        Assert.Equal(names.Length, lines.Count);
        foreach (var line in lines)
        {
            var f = line.Split(';');
            // escaped (and quoted, RFC 4180): the spreadsheet shows the text and runs nothing
            Assert.True(names.Any(n => f[1] == "\"'" + n + "\""), line);
            Assert.Equal("3,00", f[5]); // the Saldo is a plain number, not escaped
        }
    }

    [Fact]
    public async Task WhenTheReferenceIsMalformed_ThenTheApiAnswers400()
    {
        var r = await cluster.AsAdmin().GetAsync("/api/reports/reseller-statements?reference=13/2025");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }
}
