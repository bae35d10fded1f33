using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Rating;

/// <summary>Tariff windows through the REST API and the circuit hot path, on the shared cluster.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TariffWindowApiTests(ClusterFixture cluster)
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static object ThirtySix(decimal price, decimal connectFee) => new
    {
        connectFee,
        slots = new object[] { new { fromSecond = 0, pricePerMinute = price, incrementSeconds = 30 }, new { fromSecond = 30, pricePerMinute = price, incrementSeconds = 6 } },
        minimumSeconds = 0,
        freeSeconds = 3,
    };

    private static object PerSecond(decimal price) => new
    {
        connectFee = 0m,
        slots = new object[] { new { fromSecond = 0, pricePerMinute = price, incrementSeconds = 1 } },
        minimumSeconds = 0,
        freeSeconds = 0,
    };

    private static readonly string[] Weekdays = ["mon", "tue", "wed", "thu", "fri"];

    /// <summary>Reduzido 0,06/min (+0,02) outside; normal 0,12/min (+0,05) mon–fri 07–19; holidays 0,03/min per second.</summary>
    private static object PeakEntry() => new
    {
        tariff = ThirtySix(0.06m, 0.02m),
        windows = new object[]
        {
            new { days = Weekdays, from = "07:00", to = "19:00", tariff = ThirtySix(0.12m, 0.05m) },
            new { days = new[] { "holiday" }, from = "00:00", to = "24:00", tariff = PerSecond(0.03m) },
        },
    };

    private static async Task<string> CreatePlan(HttpClient http, object entries)
    {
        var id = NewId("janelas");
        var r = await http.PostAsJsonAsync("/api/plans", new { id, name = "Plano com janelas", validFrom = DateTimeOffset.UtcNow.AddDays(-400), entries });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task<JsonElement> Preview(HttpClient http, string plan, DateTimeOffset at, int duration, string? timeZone = null, string? uf = null,
        HttpStatusCode expected = HttpStatusCode.OK)
    {
        var r = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "3333-4444", durationSeconds = duration, at, timeZone, uf });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == r.StatusCode, $"{r.StatusCode}: {body}");
        return body;
    }

    private static List<int?> Windows(JsonElement preview) =>
        [.. preview.GetProperty("parts").EnumerateArray().Select(p => p.GetProperty("window").ValueKind == JsonValueKind.Null ? (int?)null : p.GetProperty("window").GetInt32())];

    [Fact]
    public async Task WhenAPlanHasWindows_ThenTheyRoundTripAndAPreviewCrossing19hAnswersTwoParts()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = PeakEntry() });

        var got = await (await http.GetAsync($"/api/plans/{plan}")).JsonAsync();
        var windows = got.GetProperty("versions")[0].GetProperty("entries").GetProperty("local_fixo").GetProperty("windows");
        Assert.Equal(2, windows.GetArrayLength());
        Assert.Equal("07:00", windows[0].GetProperty("from").GetString());
        Assert.Equal("24:00", windows[1].GetProperty("to").GetString());
        Assert.Equal("holiday", windows[1].GetProperty("days")[0].GetString());

        // the hand-checked call of TariffWindowTests: Wed 2026-12-02 18:58:50, 125 s → 0,05 + 0,06 + 0,084 + 0,054 = 0,248 → 0,25
        var p = await Preview(http, plan, new DateTimeOffset(2026, 12, 2, 18, 58, 50, TimeSpan.FromHours(-3)), 125);
        Assert.Equal(0.25m, p.GetProperty("cost").GetDecimal());
        Assert.Equal(126, p.GetProperty("billedSeconds").GetInt32());
        Assert.Equal("America/Sao_Paulo", p.GetProperty("timeZone").GetString());
        Assert.Equal([0, null], Windows(p));
        var parts = p.GetProperty("parts");
        Assert.Equal(72, parts[0].GetProperty("seconds").GetInt32());
        Assert.Equal(0.144m, parts[0].GetProperty("cost").GetDecimal());
        Assert.Equal(72, parts[1].GetProperty("fromSecond").GetInt32());
        Assert.Equal(54, parts[1].GetProperty("seconds").GetInt32());
        Assert.Equal(0.054m, parts[1].GetProperty("cost").GetDecimal());
        Assert.Equal("fora das janelas", parts[1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task WhenACallIsOnSextaFeiraSanta2027_ThenThePreviewMatchesTheHolidayWindow()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = PeakEntry() });

        var holiday = await Preview(http, plan, new DateTimeOffset(2027, 3, 26, 10, 0, 0, TimeSpan.FromHours(-3)), 60);
        Assert.Equal([1], Windows(holiday));
        Assert.Equal(0.03m, holiday.GetProperty("cost").GetDecimal()); // 60 s × 0,03/60

        var thursday = await Preview(http, plan, new DateTimeOffset(2027, 3, 25, 10, 0, 0, TimeSpan.FromHours(-3)), 60);
        Assert.Equal([0], Windows(thursday));
        Assert.Equal(0.17m, thursday.GetProperty("cost").GetDecimal()); // 0,05 + 0,06 + 30 × 0,002

        var list = await (await http.GetAsync("/api/holidays?year=2027")).JsonAsync();
        Assert.Contains(list.GetProperty("holidays").EnumerateArray(), h =>
            h.GetProperty("date").GetString() == "2027-03-26" && h.GetProperty("name").GetString() == "Sexta-feira Santa" && h.GetProperty("national").GetBoolean());
    }

    [Fact]
    public async Task WhenTheOperatorAddsAHoliday_ThenItIsListedMatchesHolidayAndStopsWhenDeleted()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = PeakEntry() });
        var day = new DateOnly(2031, 6, 10); // a Tuesday, no national holiday
        var at = new DateTimeOffset(2031, 6, 10, 10, 0, 0, TimeSpan.FromHours(-3));
        Assert.Equal([0], Windows(await Preview(http, plan, at, 60)));

        var created = await http.PostAsJsonAsync("/api/holidays", new { date = "2031-06-10", name = "Aniversário da operadora" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.JsonAsync()).GetProperty("id").GetInt64();
        var again = await http.PostAsJsonAsync("/api/holidays", new { date = "2031-06-10", name = "De novo" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var list = await (await http.GetAsync("/api/holidays?year=2031")).JsonAsync();
        Assert.Contains(list.GetProperty("holidays").EnumerateArray(), h =>
            h.GetProperty("date").GetString() == "2031-06-10" && !h.GetProperty("national").GetBoolean() && h.GetProperty("id").GetInt64() == id);
        Assert.Equal([1], Windows(await Preview(http, plan, at, 60)));

        // a holiday of one UF: only for customers (here: the preview's uf) of that UF
        var rj = await http.PostAsJsonAsync("/api/holidays", new { date = "2031-06-11", name = "Feriado estadual", uf = "rj" });
        Assert.Equal(HttpStatusCode.Created, rj.StatusCode);
        Assert.Equal("RJ", (await rj.JsonAsync()).GetProperty("uf").GetString());
        var next = at.AddDays(1);
        Assert.Equal([1], Windows(await Preview(http, plan, next, 60, uf: "RJ")));
        Assert.Equal([0], Windows(await Preview(http, plan, next, 60, uf: "SP")));
        Assert.Equal([0], Windows(await Preview(http, plan, next, 60)));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/holidays/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/holidays/{id}")).StatusCode);
        Assert.Equal([0], Windows(await Preview(http, plan, at, 60)));
        Assert.DoesNotContain((await (await http.GetAsync("/api/holidays?year=2031")).JsonAsync()).GetProperty("holidays").EnumerateArray(),
            h => h.GetProperty("date").GetString() == day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        var bad = await http.PostAsJsonAsync("/api/holidays", new { name = "", uf = "XX" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("date", out _));
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("uf", out _));
    }

    [Fact]
    public async Task WhenThePreviewIsInManaus_ThenTheWindowsAreReadOnManausTime()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = PeakEntry() });
        var at = new DateTimeOffset(2026, 12, 2, 22, 59, 30, TimeSpan.Zero); // 18:59:30 in Manaus, 19:59:30 in São Paulo

        var manaus = await Preview(http, plan, at, 60, timeZone: "America/Manaus");
        Assert.Equal([0, null], Windows(manaus));
        Assert.Equal(0.14m, manaus.GetProperty("cost").GetDecimal()); // 0,05 + 0,06 | 30 s × 0,001 = 0,03
        var saoPaulo = await Preview(http, plan, at, 60);
        Assert.Equal([null], Windows(saoPaulo));
        Assert.Equal(0.08m, saoPaulo.GetProperty("cost").GetDecimal()); // 0,02 + 0,03 + 0,03

        var bad = await Preview(http, plan, at, 60, timeZone: "Mars/Olympus_Mons", expected: HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("timeZone", out _));
    }

    [Theory]
    [InlineData("""{"days":["mon","xyz"],"from":"07:00","to":"19:00"}""", "entries.local_fixo.windows[1].days[1]")]
    [InlineData("""{"days":[],"from":"07:00","to":"19:00"}""", "entries.local_fixo.windows[1].days")]
    [InlineData("""{"days":["sat"],"from":"25:00","to":"19:00"}""", "entries.local_fixo.windows[1].from")]
    [InlineData("""{"days":["sat"],"from":"07:00","to":"24:01"}""", "entries.local_fixo.windows[1].to")]
    [InlineData("""{"days":["sat"],"from":"19:00","to":"07:00"}""", "entries.local_fixo.windows[1].to")]
    [InlineData("""{"days":["sat"],"from":"07:00","to":"19:00","tariff":{"slots":[{"fromSecond":0,"pricePerMinute":-1,"incrementSeconds":1}]}}""", "entries.local_fixo.windows[1].tariff.slots[0].pricePerMinute")]
    [InlineData("""{"days":["fri","sat"],"from":"18:00","to":"22:00"}""", "entries.local_fixo.windows[1].from")]
    public async Task WhenAWindowIsInvalid_ThenThePlanIs400NamingTheFieldAndNothingIsCreated(string secondWindow, string field)
    {
        using var http = cluster.AsAdmin();
        var id = NewId("ruim");
        var window = JsonDocument.Parse(secondWindow).RootElement;
        object tariff = window.TryGetProperty("tariff", out var t) ? t : ThirtySix(0.06m, 0m);
        var second = new Dictionary<string, object?>
        {
            ["days"] = window.GetProperty("days"),
            ["from"] = window.GetProperty("from").GetString(),
            ["to"] = window.GetProperty("to").GetString(),
            ["tariff"] = tariff,
        };
        var r = await http.PostAsJsonAsync("/api/plans", new
        {
            id,
            name = "Plano inválido",
            entries = new
            {
                local_fixo = new
                {
                    tariff = ThirtySix(0.06m, 0m),
                    windows = new object[] { new { days = Weekdays, from = "07:00", to = "19:00", tariff = ThirtySix(0.12m, 0m) }, second },
                },
            },
        });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, body.ToString());
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out var messages), body.ToString());
        if (secondWindow.Contains("fri", StringComparison.Ordinal))
            Assert.Contains("sobrepõe", messages[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/plans/{id}")).StatusCode);
    }

    [Fact]
    public async Task WhenADeckEntryCarriesWindows_ThenThePlanIs400()
    {
        using var http = cluster.AsAdmin();
        var r = await http.PostAsJsonAsync("/api/plans", new
        {
            name = "Deck com janelas",
            entries = new { ldi = new { rateDeckId = "qualquer", windows = new object[] { new { days = Weekdays, from = "07:00", to = "19:00", tariff = ThirtySix(0.12m, 0m) } } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.JsonAsync()).GetProperty("errors").TryGetProperty("entries.ldi.windows", out _));
    }

    [Fact]
    public async Task WhenACircuitHasATimeZone_ThenItIsStoredReturnedAndValidated()
    {
        using var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = Seed.NewAccount();
        var created = await admin.PostAsJsonAsync("/api/circuits", new { account, name = "Manaus", customerId = customer, areaCode = "92", timeZone = "America/Manaus" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Assert.Equal("America/Manaus", (await (await admin.GetAsync($"/api/circuits/{account}")).JsonAsync()).GetProperty("timeZone").GetString());
        await using (var cmd = cluster.Db.CreateCommand("SELECT time_zone FROM circuits WHERE account = @a"))
        {
            cmd.Parameters.AddWithValue("a", account);
            Assert.Equal("America/Manaus", (string?)await cmd.ExecuteScalarAsync());
        }

        var bad = await admin.PutAsJsonAsync($"/api/circuits/{account}", new { timeZone = "Brasil/Manaus" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("timeZone", out _));
        var other = await admin.PutAsJsonAsync($"/api/circuits/{account}", new { name = "Manaus 2" }); // absent: kept
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("America/Manaus", (await other.JsonAsync()).GetProperty("timeZone").GetString());

        var plain = await Seed.CircuitAsync(admin, customer, null);
        Assert.Equal("America/Sao_Paulo", (await (await admin.GetAsync($"/api/circuits/{plain}")).JsonAsync()).GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task WhenRealCallsGoThroughTheSwitchApi_ThenEachIsRatedByTheWindowItFallsIn()
    {
        using var admin = cluster.AsAdmin();
        using var sw = cluster.AsSwitch();
        // a one-hour window 3 h ago, in the circuit's zone (Manaus): 1,20/min per second inside, 0,60/min outside
        var manaus = TimeZones.Find("America/Manaus")!;
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddHours(-3), manaus);
        var hourStart = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset);
        var day = DateOnly.FromDateTime(hourStart.DateTime);
        var dayName = BrazilianHolidays.IsNational(day) ? "holiday" : TariffWindow.Name(TariffWindow.Of(hourStart.DayOfWeek));
        var plan = await CreatePlan(admin, new
        {
            local_fixo = new
            {
                tariff = PerSecond(0.60m),
                windows = new object[] { new { days = new[] { dayName }, from = TariffWindow.Time(hourStart.Hour * 60), to = TariffWindow.Time(hourStart.Hour * 60 + 60), tariff = PerSecond(1.20m) } },
            },
        });
        var customer = await Seed.CustomerAsync(admin);
        var account = Seed.NewAccount();
        var created = await admin.PostAsJsonAsync("/api/circuits", new { account, name = "Janelas", customerId = customer, planId = plan, areaCode = "11", timeZone = "America/Manaus" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        await Seed.CreditAsync(admin, account, 10m);

        async Task<JsonElement> Call(DateTimeOffset answeredAt, int seconds)
        {
            var callId = "jw-" + Guid.NewGuid().ToString("N");
            var auth = await (await sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination = "1133334444", direction = "outbound" })).JsonAsync();
            Assert.True(auth.GetProperty("allowed").GetBoolean(), auth.ToString());
            Assert.Equal(0.60m, auth.GetProperty("pricePerMinute").GetDecimal()); // now is outside the window
            var done = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = seconds, answeredAt });
            Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
            return await done.JsonAsync();
        }

        var inside = await Call(hourStart.AddMinutes(10), 60);     // 60 s × 1,20/60 = 1,20
        Assert.Equal(1.20m, inside.GetProperty("cost").GetDecimal());
        var crossing = await Call(hourStart.AddMinutes(59).AddSeconds(30), 60); // 30 s × 0,02 + 30 s × 0,01 = 0,90
        Assert.Equal(0.90m, crossing.GetProperty("cost").GetDecimal());
        var outside = await Call(hourStart.AddMinutes(70), 60);    // 60 s × 0,60/60 = 0,60
        Assert.Equal(0.60m, outside.GetProperty("cost").GetDecimal());
        Assert.Equal(10m - 1.20m - 0.90m - 0.60m, outside.GetProperty("balance").GetDecimal());

        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = @a AND kind = 'call'");
        cmd.Parameters.AddWithValue("a", account);
        Assert.Equal(-2.70m, (decimal)(await cmd.ExecuteScalarAsync())!);
    }
}
