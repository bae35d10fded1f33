using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;
using Orleans.Core.Internal;

namespace Billing.Tests.Rating;

[Collection(ClusterCollection.Name)]
public sealed class RatingApiTests(ClusterFixture cluster)
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static object ThirtySix(decimal price, int free = 3) => new
    {
        connectFee = 0m,
        slots = new object[] { new { fromSecond = 0, pricePerMinute = price, incrementSeconds = 30 }, new { fromSecond = 30, pricePerMinute = price, incrementSeconds = 6 } },
        minimumSeconds = 0,
        freeSeconds = free,
    };

    private async Task<string> CreatePlan(HttpClient http, object entries, DateTimeOffset? validFrom = null)
    {
        var id = NewId("plano");
        var r = await http.PostAsJsonAsync("/api/plans", new { id, name = "Plano Nacional", validFrom = validFrom ?? DateTimeOffset.UtcNow.AddDays(-1), entries });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return id;
    }

    private static async Task<JsonElement> Preview(HttpClient http, string planId, string destination, int duration, string areaCode = "11", HttpStatusCode expected = HttpStatusCode.OK)
    {
        var r = await http.PostAsJsonAsync("/api/rating/preview", new { planId, areaCode, destination, durationSeconds = duration });
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == r.StatusCode, $"{r.StatusCode}: {body}");
        return body;
    }

    [Theory]
    [InlineData(3, 0, "0.00")]
    [InlineData(4, 30, "0.05")]
    [InlineData(31, 36, "0.06")]
    public async Task WhenAPlanIs3006At10CentavosWith3FreeSeconds_ThenThePreviewChargesTheIssueExamples(int seconds, int billed, string cost)
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = new { tariff = ThirtySix(0.10m) } });

        var body = await Preview(http, plan, "3333-4444", seconds);

        Assert.Equal("local_fixo", body.GetProperty("callType").GetString());
        Assert.Equal("none", body.GetProperty("mobileArea").GetString());
        Assert.Equal("+551133334444", body.GetProperty("normalizedNumber").GetString());
        Assert.Equal(billed, body.GetProperty("billedSeconds").GetInt32());
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("cost").GetDecimal());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("cost").ValueKind);
        Assert.Equal(3, body.GetProperty("tariff").GetProperty("freeSeconds").GetInt32());
        Assert.Equal(2, body.GetProperty("tariff").GetProperty("slots").GetArrayLength());
    }

    [Fact]
    public async Task WhenTheDestinationIsInvalid_ThenThePreviewIs400ProblemNamingTheField()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = new { tariff = ThirtySix(0.10m) } });

        var r = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "2533334444", durationSeconds = 30 });

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var pd = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, pd.GetProperty("status").GetInt32());
        Assert.Equal("destino_invalido", pd.GetProperty("code").GetString());
        var messages = pd.GetProperty("errors").GetProperty("destination");
        Assert.Contains("DDD", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenThePreviewBodyIsIncomplete_ThenEveryMissingFieldIsNamed()
    {
        using var http = cluster.AsAdmin();
        var r = await http.PostAsJsonAsync("/api/rating/preview", new { areaCode = "11", destination = "abc", durationSeconds = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("planId", out _));
        Assert.True(errors.TryGetProperty("durationSeconds", out _));

        var unknownPlan = await http.PostAsJsonAsync("/api/rating/preview", new { planId = "nao-existe", areaCode = "11", destination = "33334444", durationSeconds = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, unknownPlan.StatusCode);
        Assert.True((await unknownPlan.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("planId", out _));

        var badDdd = await http.PostAsJsonAsync("/api/rating/preview", new { planId = "x", areaCode = "20", destination = "33334444", durationSeconds = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, badDdd.StatusCode);
        Assert.True((await badDdd.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("areaCode", out _));
    }

    [Fact]
    public async Task WhenACallTypeIsNotInThePlan_ThenThePreviewIs422ButEmergencyIsFree()
    {
        using var http = cluster.AsAdmin();
        var plan = await CreatePlan(http, new { local_fixo = new { tariff = ThirtySix(0.10m) } });

        var ldn = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "2133334444", durationSeconds = 30 });
        Assert.Equal((HttpStatusCode)422, ldn.StatusCode);
        Assert.Equal("tipo_nao_tarifado", (await ldn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        var emergency = await Preview(http, plan, "190", 300);
        Assert.Equal("emergencia", emergency.GetProperty("callType").GetString());
        Assert.Equal(0m, emergency.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task WhenAPlanGetsANewVersion_ThenCallsAreRatedWithTheVersionInForceWhenTheyStarted()
    {
        using var http = cluster.AsAdmin();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(-3));
        var plan = await CreatePlan(http, new { local_movel = new { tariff = ThirtySix(0.60m) }, a_cobrar = new { tariff = ThirtySix(1.20m) } }, start);

        var put = await http.PutAsJsonAsync($"/api/plans/{plan}", new
        {
            validFrom = start.AddMonths(6),
            entries = new { local_movel = new { tariff = ThirtySix(0.30m) } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("currentVersion").GetInt32());
        Assert.Equal(2, body.GetProperty("versions").GetArrayLength());

        async Task<JsonElement> At(DateTimeOffset at)
        {
            var r = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "11987654321", durationSeconds = 60, at });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return await r.Content.ReadFromJsonAsync<JsonElement>();
        }
        var before = await At(start.AddMonths(6).AddSeconds(-1));
        var after = await At(start.AddMonths(6));
        Assert.Equal(0.60m, before.GetProperty("cost").GetDecimal());
        Assert.Equal(1, before.GetProperty("planVersion").GetInt32());
        Assert.Equal(0.30m, after.GetProperty("cost").GetDecimal());
        Assert.Equal(2, after.GetProperty("planVersion").GetInt32());
        Assert.Equal("vc1", after.GetProperty("mobileArea").GetString());

        var collect = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "90211133334444", durationSeconds = 31, at = start });
        var collectBody = await collect.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("a_cobrar", collectBody.GetProperty("callType").GetString());
        Assert.Equal("21", collectBody.GetProperty("csp").GetString());
        Assert.Equal(0.72m, collectBody.GetProperty("cost").GetDecimal()); // 36 s × 1.20 / 60

        var stale = await http.PutAsJsonAsync($"/api/plans/{plan}", new { validFrom = start, entries = new { local_movel = new { tariff = ThirtySix(0.30m) } } });
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.True((await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("validFrom", out _));

        var get = await http.GetFromJsonAsync<JsonElement>($"/api/plans/{plan}");
        Assert.Equal(JsonValueKind.Object, get.GetProperty("versions")[0].GetProperty("entries").GetProperty("a_cobrar").ValueKind);

        var list = await http.GetFromJsonAsync<JsonElement>("/api/plans?pageSize=500");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == plan && i.GetProperty("versions").GetInt32() == 2);
    }

    [Fact]
    public async Task WhenAPlanBodyIsInvalid_Then400NamesEachCamelCaseField()
    {
        using var http = cluster.AsAdmin();
        var r = await http.PostAsJsonAsync("/api/plans", new
        {
            id = "tem espaço",
            entries = new
            {
                local_fixo = new { tariff = new { slots = new object[] { new { fromSecond = 5, pricePerMinute = -1m, incrementSeconds = 0 } } } },
                interurbano = new { tariff = ThirtySix(0.1m) },
                ldi = new { rateDeckId = "deck-que-nao-existe" },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var fields = errors.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("id", fields);
        Assert.Contains("name", fields);
        Assert.Contains("entries.interurbano", fields);
        Assert.Contains("entries.local_fixo.tariff.slots[0].fromSecond", fields);
        Assert.Contains("entries.local_fixo.tariff.slots[0].pricePerMinute", fields);
        Assert.Contains("entries.local_fixo.tariff.slots[0].incrementSeconds", fields);

        var dup = await CreatePlan(http, new { local_fixo = new { tariff = ThirtySix(0.10m) } });
        var again = await http.PostAsJsonAsync("/api/plans", new { id = dup, name = "x", entries = new { local_fixo = new { tariff = ThirtySix(0.10m) } } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/plans/nao-existe")).StatusCode);
    }

    [Fact]
    public async Task WhenADeckIsImportedAndAPlanPointsAtIt_ThenInternationalCallsUseTheLongestPrefix()
    {
        using var http = cluster.AsAdmin();
        var deckId = NewId("ldi");
        var csv = "prefix;destination;price_per_minute;connect_fee;initial_block;increment;minimum_seconds\n" +
                  "44;Reino Unido;0,50;0;60;60;0\n" +
                  "447;Reino Unido móvel;1,20;0,10;30;6;0\n" +
                  "1;EUA;0,06;0;6;6;0\n";
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var r = await http.PostAsync($"/api/rate-decks?id={deckId}&name=LDI", content);
        var created = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(r.StatusCode == HttpStatusCode.Created, created.ToString());
        Assert.Equal(deckId, created.GetProperty("id").GetString());
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal(3, created.GetProperty("rows").GetInt32());

        var plan = await CreatePlan(http, new { ldi = new { rateDeckId = deckId } });
        var mobile = await Preview(http, plan, "0021447911123456", 31);
        Assert.Equal("ldi", mobile.GetProperty("callType").GetString());
        Assert.Equal("447", mobile.GetProperty("rateDeck").GetProperty("prefix").GetString());
        Assert.Equal(36, mobile.GetProperty("billedSeconds").GetInt32());
        Assert.Equal(0.82m, mobile.GetProperty("cost").GetDecimal()); // 0.10 + 36 × 1.20 / 60
        var fixedUk = await Preview(http, plan, "+442079460000", 61);
        Assert.Equal("44", fixedUk.GetProperty("rateDeck").GetProperty("prefix").GetString());
        Assert.Equal(1.00m, fixedUk.GetProperty("cost").GetDecimal());
        var noRoute = await http.PostAsJsonAsync("/api/rating/preview", new { planId = plan, areaCode = "11", destination = "+33123456789", durationSeconds = 10 });
        Assert.Equal((HttpStatusCode)422, noRoute.StatusCode);

        var page = await http.GetFromJsonAsync<JsonElement>($"/api/rate-decks/{deckId}?prefix=44");
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal("44", page.GetProperty("items")[0].GetProperty("prefix").GetString());
        Assert.Equal(0.50m, page.GetProperty("items")[0].GetProperty("pricePerMinute").GetDecimal());
    }

    [Fact]
    public async Task WhenADeckWithBadLinesIsImported_Then400ListsEveryLineAndTheCurrentVersionStays()
    {
        using var http = cluster.AsAdmin();
        var deckId = NewId("deck");
        const string Header = "prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n";
        using (var good = new StringContent(Header + "1,EUA,0.05,0,6,6,0\n", Encoding.UTF8, "text/csv"))
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsync($"/api/rate-decks?id={deckId}", good)).StatusCode);

        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Header + "1,EUA,0.07,0,6,6,0\nx,Erro,0.05,0,6,6,0\n44,UK,abc,0,6,6,0\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "deck.csv");
        form.Add(new StringContent(deckId), "id");
        var r = await http.PostAsync("/api/rate-decks", form);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var pd = await r.Content.ReadFromJsonAsync<JsonElement>();
        var lines = pd.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("line").GetInt32(), l.GetProperty("column").GetString())).ToList();
        Assert.Equal([(3, "prefix"), (4, "price_per_minute")], lines);
        Assert.Equal(2, pd.GetProperty("errors").GetProperty("file").GetArrayLength());

        var page = await http.GetFromJsonAsync<JsonElement>($"/api/rate-decks/{deckId}");
        Assert.Equal(1, page.GetProperty("version").GetInt32());
        Assert.Equal(0.05m, page.GetProperty("items")[0].GetProperty("pricePerMinute").GetDecimal());

        // a good re-import replaces it as version 2
        using var form2 = new MultipartFormDataContent();
        form2.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Header + "1,EUA,0.07,0,6,6,0\n")), "file", "deck.csv");
        var ok = await http.PostAsync($"/api/rate-decks?id={deckId}", form2);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(2, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        var after = await http.GetFromJsonAsync<JsonElement>($"/api/rate-decks/{deckId}");
        Assert.Equal(0.07m, after.GetProperty("items")[0].GetProperty("pricePerMinute").GetDecimal());
        Assert.Equal(1, after.GetProperty("total").GetInt64());
        var match = await cluster.Grains.GetGrain<IRateDeckGrain>("deck:" + deckId).Match("+14155552671");
        Assert.Equal(0.07m, match!.Tariff.Slots[0].PricePerMinute);
    }

    [Fact]
    public async Task WhenA100kRowDeckIsImportedThroughTheApi_ThenTheTimeIsReported()
    {
        using var http = cluster.AsAdmin();
        var sb = new StringBuilder("prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n");
        for (var i = 0; i < 100_000; i++)
            sb.Append((1_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",Destino,0.123456,0,30,6,0\n");
        var deckId = NewId("big");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var content = new StringContent(sb.ToString(), Encoding.UTF8, "text/csv");
        var r = await http.PostAsync($"/api/rate-decks?id={deckId}", content);
        var importMs = sw.ElapsedMilliseconds;
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Equal(100_000, (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows").GetInt32());

        // a fresh activation loads the current version from PostgreSQL into its index
        var grain = cluster.Grains.GetGrain<IRateDeckGrain>("deck:" + deckId);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);
        sw.Restart();
        var match = await grain.Match("+10999991234");
        var loadMs = sw.ElapsedMilliseconds;
        Assert.Equal("1099999", match?.Prefix);
        Console.WriteLine($"[rating] 100k-row deck via API (parse + COPY + flip): {importMs} ms; reactivation (load from PostgreSQL + index): {loadMs} ms");
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/rate-decks/{deckId}?prefix=10999&pageSize=10");
        Assert.Equal(100, page.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task WhenTheSwitchKeyCallsTheRatingAdminApi_Then403()
    {
        using var http = cluster.AsSwitch();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/plans")).StatusCode);
    }
}
