using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Resellers;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Resellers;

/// <summary>"Faturas Fechadas Revenda": Saldo = DID fees + inbound completion, JSON and CSV agree.</summary>
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

    private static DateTimeOffset At(DateTime month, int day, int hour) =>
        new DateTimeOffset(month.AddDays(day - 1).AddHours(hour), SaoPaulo.GetUtcOffset(month.AddDays(day - 1)));

    private static async Task CdrAsync(HttpClient sw, string account, string did, DateTimeOffset start, int seconds)
    {
        var r = await sw.PostAsJsonAsync($"/api/calls/cdr-{Guid.NewGuid():N}/complete", new
        {
            durationSeconds = seconds, account, destination = did, direction = "inbound", startedAt = start,
        });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WhenAMonthHasEnded_ThenTheFrozenSaldoIsDidFeesPlusCompletionToTheCentAndTheCsvHasTheSameRows()
    {
        var admin = cluster.AsAdmin();
        var sw = cluster.AsSwitch();
        var m2 = MonthStart(2);
        var m3 = MonthStart(3);
        var name = "Revenda Fechada " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, name, didFee: 10m, completion: 0.12m);
        var other = await ResellerSeed.ResellerAsync(admin, name + " B", didFee: 7.77m, completion: 0.05m);
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        var did1 = await ResellerSeed.DidAsync(admin, reseller, account, activeFrom: At(m3, 1, 12));
        var did2 = await ResellerSeed.DidAsync(admin, reseller, account, activeFrom: At(m2, 15, 12), fee: 25.50m);
        var did3 = await ResellerSeed.DidAsync(admin, other, account, activeFrom: At(m2, 2, 12));

        await CdrAsync(sw, account, did1, At(m2, 5, 10), 61);   // 0,122 → 0,12
        await CdrAsync(sw, account, did2, At(m2, 16, 10), 90);  // 0,18
        await CdrAsync(sw, account, did2, At(m2, 16, 11), 10);  // 0,02
        await CdrAsync(sw, account, did3, At(m2, 20, 9), 65);   // 0,054 → 0,05
        await CdrAsync(sw, account, did1, At(m3, 20, 9), 600);  // previous month: 1,20

        var url = $"/api/reports/reseller-statements?reference={Uri.EscapeDataString(Ref(m2))}&search={Uri.EscapeDataString(name)}";
        // reading an ended month that the cluster has not closed yet shows it live and closes nothing
        var live = await (await admin.GetAsync(url)).JsonAsync();
        Assert.False(live.GetProperty("items")[0].GetProperty("closed").GetBoolean());
        Assert.Equal(35.82m, live.GetProperty("items")[0].GetProperty("saldo").GetDecimal());
        await using (var closings = cluster.Db.CreateCommand("SELECT count(*) FROM reseller_statement_closings WHERE reference = @r"))
        {
            closings.Parameters.AddWithValue("r", m2.ToString("yyyy-MM", CultureInfo.InvariantCulture));
            Assert.Equal(0L, (long)(await closings.ExecuteScalarAsync())!);
        }
        // the month is frozen by the closing grain (its reminder does this for the month that just ended)
        Assert.True(await cluster.Grains.GetGrain<IResellerStatementsGrain>(IResellerStatementsGrain.Key).Close(m2.Year, m2.Month));
        var page = await (await admin.GetAsync(url)).JsonAsync();
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(1, page.GetProperty("totalPages").GetInt64());
        var row = page.GetProperty("items")[0];
        Assert.Equal(reseller, row.GetProperty("resellerId").GetInt64());
        Assert.Equal(Ref(m2), row.GetProperty("reference").GetString());
        Assert.Equal(2, row.GetProperty("didCount").GetInt32());
        Assert.Equal(35.50m, row.GetProperty("didFees").GetDecimal());
        Assert.Equal(0.32m, row.GetProperty("completion").GetDecimal());
        Assert.Equal(35.82m, row.GetProperty("saldo").GetDecimal());
        Assert.True(row.GetProperty("closed").GetBoolean());
        var second = page.GetProperty("items")[1];
        Assert.Equal(7.82m, second.GetProperty("saldo").GetDecimal());

        // frozen: a late CDR of that month no longer changes the statement
        await CdrAsync(sw, account, did1, At(m2, 28, 10), 60);
        var again = await (await admin.GetAsync(url)).JsonAsync();
        Assert.Equal(35.82m, again.GetProperty("items")[0].GetProperty("saldo").GetDecimal());

        var csv = await admin.GetAsync($"/api/reports/reseller-statements.csv?reference={Uri.EscapeDataString(Ref(m2))}&search={Uri.EscapeDataString(name)}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF')
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.StartsWith("Referência;Nome Revenda;Quantidade DIDs", lines[0], StringComparison.Ordinal);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(items.Count, lines.Count - 1);
        for (var i = 0; i < items.Count; i++)
        {
            var f = lines[i + 1].Split(';');
            Assert.Equal(items[i].GetProperty("reference").GetString(), f[0]);
            Assert.Equal(items[i].GetProperty("nome").GetString(), f[1]);
            Assert.Equal(items[i].GetProperty("didCount").GetInt32().ToString(CultureInfo.InvariantCulture), f[2]);
            Assert.Equal(items[i].GetProperty("saldo").GetDecimal(), decimal.Parse(f[5], NumberStyles.Number, CultureInfo.GetCultureInfo("pt-BR")));
        }
        Assert.Equal("35,82", lines[1].Split(';')[5]);

        var path = m2.ToString("MM-yyyy", CultureInfo.InvariantCulture);
        var detail = await (await admin.GetAsync($"/api/reports/reseller-statements/{reseller}/{path}")).JsonAsync();
        Assert.Equal(0.32m, detail.GetProperty("days").EnumerateArray().Sum(d => d.GetProperty("saldo").GetDecimal()));
        Assert.Equal(2, detail.GetProperty("days").GetArrayLength());
        var dids = await (await admin.GetAsync($"/api/reports/reseller-statements/{reseller}/{path}/dids")).JsonAsync();
        Assert.Equal(new[] { did1, did2 }.Order(StringComparer.Ordinal), dids.GetProperty("dids").EnumerateArray().Select(d => d.GetString()!));

        // the statement as PDF: read back, the reseller and its Saldo in pt-BR money
        var pdf = await admin.GetAsync($"/api/reports/reseller-statements/{reseller}/{path}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        using (var doc = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join(" ", doc.GetPages().Select(pg => pg.Text));
            Assert.Contains(name, text, StringComparison.Ordinal);
            Assert.Contains("R$ 35,82", text, StringComparison.Ordinal);
        }
        var listPdf = await admin.GetAsync($"/api/reports/reseller-statements.pdf?reference={Uri.EscapeDataString(Ref(m2))}&search={Uri.EscapeDataString(name)}");
        using (var doc = UglyToad.PdfPig.PdfDocument.Open(await listPdf.Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join(" ", doc.GetPages().Select(pg => pg.Text));
            Assert.Contains("R$ 7,82", text, StringComparison.Ordinal);
            Assert.Contains("R$ 43,64", text, StringComparison.Ordinal); // total of the two rows
        }

        var compare = await (await admin.GetAsync(url + "&compareTo=" + Uri.EscapeDataString(Ref(m3)))).JsonAsync();
        var c = compare.GetProperty("items")[0];
        Assert.Equal(11.20m, c.GetProperty("compareSaldo").GetDecimal());   // one DID fee + 1,20
        Assert.Equal(24.62m, c.GetProperty("difference").GetDecimal());
    }

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
    public async Task WhenTheClosingGrainTicks_ThenTheMonthThatEndedIsClosedAndTheOpenMonthCannotBe()
    {
        var closing = cluster.Grains.GetGrain<IResellerStatementsGrain>(IResellerStatementsGrain.Key);
        var open = MonthStart(0);
        Assert.False(await closing.Close(open.Year, open.Month));
        await closing.Tick();
        await closing.Tick(); // a second tick finds the month closed and writes nothing
        Assert.Null(await closing.Tick());
        async Task<long> Closings(DateTime month)
        {
            await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM reseller_statement_closings WHERE reference = @r");
            cmd.Parameters.AddWithValue("r", month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.Equal(1L, await Closings(MonthStart(1)));
        Assert.Equal(0L, await Closings(open));
    }

    [Fact]
    public async Task WhenTheReferenceIsMalformed_ThenTheApiAnswers400()
    {
        var r = await cluster.AsAdmin().GetAsync("/api/reports/reseller-statements?reference=13/2025");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }
}
