using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Resellers;
using Billing.Tests.Calls;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Billing.Tests.Resellers;

/// <summary>
/// A cluster of its own whose silo runs on a <see cref="FakeTimeProvider"/> (kept at or behind the real time): closing reseller months depends on
/// what time it is, and the closing grain's reminder closes every ended month of a shared cluster's database.
/// </summary>
internal sealed class ClockCluster : IAsyncDisposable
{
    private readonly string _adminKey = "admin-" + Guid.NewGuid().ToString("N");
    private readonly string _switchKey = "switch-" + Guid.NewGuid().ToString("N");
    private string _database = "";
    private InProcessSilo? _silo;
    private WebApplicationFactory<Program>? _api;

    private ClockCluster(FakeTimeProvider clock) => Clock = clock;

    public FakeTimeProvider Clock { get; }
    public NpgsqlDataSource Db { get; private set; } = null!;
    public IGrainFactory Grains => _silo!.Grains;

    public static async Task<ClockCluster> StartAsync(DateTimeOffset now)
    {
        var c = new ClockCluster(new FakeTimeProvider(now));
        c._database = await TestDatabase.CreateAsync("billing_stmt");
        c.Db = NpgsqlDataSource.Create(c._database);
        var clusterId = "stm-" + Guid.NewGuid().ToString("N")[..6];
        c._silo = await InProcessSilo.StartAsync(c._database, clusterId, "silo-s", services => services.AddSingleton<TimeProvider>(c.Clock));
        c._api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("BILLING_DB", c._database);
            b.UseSetting("BILLING_CLUSTER_ID", clusterId);
            b.UseSetting("BILLING_ADMIN_KEY", c._adminKey);
            b.UseSetting("BILLING_SWITCH_KEY", c._switchKey);
            // the API keeps the real clock: the fake one never runs ahead of it here, and the Orleans client and hosting
            // wait on timers that a fake clock never fires (minutes per test)
            b.UseEnvironment("Testing");
        });
        return c;
    }

    private HttpClient With(string key)
    {
        var client = _api!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient AsAdmin() => With(_adminKey);

    public HttpClient AsSwitch() => With(_switchKey);

    public async Task<long> ClosingsAsync(DateTime month)
    {
        await using var cmd = Db.CreateCommand("SELECT count(*) FROM reseller_statement_closings WHERE reference = @r");
        cmd.Parameters.AddWithValue("r", month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null) await _api.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
        if (Db is not null) await Db.DisposeAsync();
        if (_database.Length > 0) await TestDatabase.DropAsync(_database);
    }
}

/// <summary>Reseller months are frozen by the cluster when they end, every one of them, never by a read (injected clock).</summary>
[Collection(SecondApiHostCollection.Name)]
public sealed class ResellerStatementClosingTests
{
    private static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    /// <summary>The first day of the São Paulo month <paramref name="monthsBack"/> months before the real current one.</summary>
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
    public async Task WhenMonthsWereNeverClosed_ThenOneTickClosesEveryEndedMonthFromTheFirstResellerOn()
    {
        // a reseller since 6 months ago; no month was ever closed (no reminder then, or no silo up at the month's end)
        await using var c = await ClockCluster.StartAsync(At(MonthStart(6), 10, 12));
        var admin = c.AsAdmin();
        var name = "Revenda Antiga " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, name, didFee: 10m);
        c.Clock.SetUtcNow(At(MonthStart(1), 10, 12));
        var closing = c.Grains.GetGrain<IResellerStatementsGrain>(IResellerStatementsGrain.Key);

        var open = MonthStart(1);
        Assert.False(await closing.Close(open.Year, open.Month)); // the current month cannot be closed
        var closedNow = await closing.Tick();
        // (the silo's own reminder may have ticked first: then it closed them and this tick found nothing to do)
        var ended = Enumerable.Range(2, 5).Select(MonthStart).OrderBy(m => m).ToList();
        Assert.True(closedNow.Count == 0 || closedNow.SequenceEqual(ended.Select(m => m.ToString("yyyy-MM", CultureInfo.InvariantCulture))),
            string.Join(", ", closedNow));
        foreach (var month in ended)
        {
            Assert.Equal(1L, await c.ClosingsAsync(month));
            var page = await (await admin.GetAsync($"/api/reports/reseller-statements?reference={Uri.EscapeDataString(Ref(month))}&search={Uri.EscapeDataString(name)}")).JsonAsync();
            var row = Assert.Single(page.GetProperty("items").EnumerateArray());
            Assert.True(row.GetProperty("closed").GetBoolean());
            Assert.Equal(reseller, row.GetProperty("resellerId").GetInt64());
        }
        Assert.Equal(0L, await c.ClosingsAsync(MonthStart(7))); // before the first reseller: nothing to close
        Assert.Equal(0L, await c.ClosingsAsync(open));
        Assert.Empty(await closing.Tick()); // nothing left

        // the next month's end: the next tick closes just that one
        c.Clock.SetUtcNow(At(MonthStart(0), 1, 12));
        Assert.Equal([open.ToString("yyyy-MM", CultureInfo.InvariantCulture)], await TickOrReminder(c, closing, open));
        Assert.Equal(1L, await c.ClosingsAsync(open));
    }

    /// <summary>The months the tick closed, or the month itself when the silo's reminder got there first.</summary>
    private static async Task<IReadOnlyList<string>> TickOrReminder(ClockCluster c, IResellerStatementsGrain closing, DateTime month)
    {
        var closed = await closing.Tick();
        return closed.Count == 0 && await c.ClosingsAsync(month) == 1 ? [month.ToString("yyyy-MM", CultureInfo.InvariantCulture)] : closed;
    }

    [Fact]
    public async Task WhenAMonthHasEnded_ThenTheFrozenSaldoIsDidFeesPlusCompletionToTheCentAndTheCsvHasTheSameRows()
    {
        var m3 = MonthStart(3);
        var m2 = MonthStart(2);
        var m1 = MonthStart(1);
        // m3 is the current month: its DID and call are recorded before it ends
        await using var c = await ClockCluster.StartAsync(At(m3, 21, 12));
        var admin = c.AsAdmin();
        var sw = c.AsSwitch();
        var name = "Revenda Fechada " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, name, didFee: 10m, completion: 0.12m);
        var other = await ResellerSeed.ResellerAsync(admin, name + " B", didFee: 7.77m, completion: 0.05m);
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        var did1 = await ResellerSeed.DidAsync(admin, reseller, account, activeFrom: At(m3, 1, 12));
        await CdrAsync(sw, account, did1, At(m3, 20, 9), 600);  // 1,20 in m3

        // m2 is the current month now (m3 has ended and may be closed by the reminder at any moment: its figures are final)
        c.Clock.SetUtcNow(At(m2, 21, 12));
        var did2 = await ResellerSeed.DidAsync(admin, reseller, account, activeFrom: At(m2, 15, 12), fee: 25.50m);
        var did3 = await ResellerSeed.DidAsync(admin, other, account, activeFrom: At(m2, 2, 12));
        await CdrAsync(sw, account, did1, At(m2, 5, 10), 61);   // 0,122 → 0,12
        await CdrAsync(sw, account, did2, At(m2, 16, 10), 90);  // 0,18
        await CdrAsync(sw, account, did2, At(m2, 16, 11), 10);  // 0,02
        await CdrAsync(sw, account, did3, At(m2, 20, 9), 65);   // 0,054 → 0,05

        var url = $"/api/reports/reseller-statements?reference={Uri.EscapeDataString(Ref(m2))}&search={Uri.EscapeDataString(name)}";
        // reading a month that is not closed shows it live and closes nothing
        var live = await (await admin.GetAsync(url)).JsonAsync();
        Assert.False(live.GetProperty("items")[0].GetProperty("closed").GetBoolean());
        Assert.Equal(35.82m, live.GetProperty("items")[0].GetProperty("saldo").GetDecimal());
        Assert.Equal(0L, await c.ClosingsAsync(m2));

        // m2 ends; the closing grain freezes it (its reminder does the same within the hour)
        c.Clock.SetUtcNow(At(m1, 1, 12));
        Assert.True(await c.Grains.GetGrain<IResellerStatementsGrain>(IResellerStatementsGrain.Key).Close(m2.Year, m2.Month));
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
        var cmp = compare.GetProperty("items")[0];
        Assert.Equal(11.20m, cmp.GetProperty("compareSaldo").GetDecimal());   // one DID fee + 1,20
        Assert.Equal(24.62m, cmp.GetProperty("difference").GetDecimal());
    }
}
