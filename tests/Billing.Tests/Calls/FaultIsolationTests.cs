using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Orleans.Core.Internal;

namespace Billing.Tests.Calls;

/// <summary>
/// One malformed field from a switch fails its own request with a 400 naming the field, and nothing else: not the
/// other calls of its group commit, not the circuit's other reservations, not a clean retry of the same call.
/// Reservations and retried completes survive a circuit's reactivation; a call id belongs to one circuit.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultIsolationTests(ClusterFixture cluster)
{
    private Task<(string Account, HttpClient Admin, HttpClient Switch)> PrepaidCircuit(decimal credit, decimal price = 0.10m) =>
        Seed.PrepaidCircuitAsync(cluster, credit, price);

    private static async Task<JsonElement> AuthorizeOk(HttpClient sw, string callId, string account, string destination = "1133334444")
    {
        var r = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.JsonAsync();
        Assert.True(body.GetProperty("allowed").GetBoolean(), body.ToString());
        return body;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<decimal> LedgerSum(string account)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        return (decimal)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<string?> ErrorField(HttpResponseMessage r)
    {
        var body = await r.JsonAsync();
        return body.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().First().Name : null;
    }

    [Fact]
    public async Task WhenOneCompleteCarriesANul_ThenOnlyThatCallFails_AndAllOthersGoOn()
    {
        var (a, admin, sw) = await PrepaidCircuit(50m);
        var (b, _, _) = await PrepaidCircuit(50m);
        var live = "L-" + Guid.NewGuid().ToString("N");
        var bad = "N-" + Guid.NewGuid().ToString("N");
        await AuthorizeOk(sw, live, a);
        await AuthorizeOk(sw, bad, a);
        var others = Enumerable.Range(0, 40).Select(i => $"B{i}-{Guid.NewGuid():N}").ToList();
        foreach (var id in others) await AuthorizeOk(sw, id, b);

        // the malformed complete and 40 good ones of another circuit, at the same moment (same group commits)
        var badTask = sw.PostAsync($"/api/calls/{bad}/complete", Json("""{"durationSeconds":60,"hangupCause":"\u0000"}"""));
        var goodTasks = others.Select(id => sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 60 })).ToList();
        var badAnswer = await badTask;
        Assert.Equal(HttpStatusCode.BadRequest, badAnswer.StatusCode);
        Assert.Equal("hangupCause", await ErrorField(badAnswer));
        foreach (var t in goodTasks) Assert.Equal(HttpStatusCode.OK, (await t).StatusCode);

        // circuit A's other call still holds its credit and extends; the bad call bills on a clean retry
        var extend = await (await sw.PostAsync($"/api/calls/{live}/extend", null)).JsonAsync();
        Assert.True(extend.GetProperty("allowed").GetBoolean(), extend.ToString());
        var retry = await sw.PostAsJsonAsync($"/api/calls/{bad}/complete", new { durationSeconds = 60, hangupCause = "normal_clearing" });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(0.10m, (await retry.JsonAsync()).GetProperty("cost").GetDecimal());
        Assert.Equal(50m - 40 * 0.10m, await LedgerSum(b));
        Assert.Equal(50m - 0.10m, await LedgerSum(a));
        var balanceA = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
        Assert.Equal(50m - 0.10m, balanceA.GetProperty("balance").GetDecimal());
        Assert.True(balanceA.GetProperty("reserved").GetDecimal() > 0m, "the live call's hold is gone");
    }

    [Theory]
    [InlineData("callId")]
    [InlineData("destination")]
    [InlineData("caller")]
    public async Task WhenAnAuthorizeFieldHasControlCharactersOrIsTooLong_Then400NamingIt(string field)
    {
        var (a, _, sw) = await PrepaidCircuit(5m);
        var body = new Dictionary<string, object?>
        {
            ["callId"] = "c-" + Guid.NewGuid().ToString("N"), ["account"] = a, ["destination"] = "1133334444", ["caller"] = "1122223333",
        };
        foreach (var junk in new[] { "12\u00003", "12\u001b[31m", new string('9', 10_000) })
        {
            body[field] = junk;
            var r = await sw.PostAsJsonAsync("/api/calls/authorize", body);
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal(field, await ErrorField(r));
        }
        var balance = await cluster.AsAdmin().GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [Theory]
    [InlineData("answeredAt", "0001-01-01T00:00:00Z")]
    [InlineData("answeredAt", "9999-12-31T23:59:59Z")]
    [InlineData("startedAt", "1990-05-01T12:00:00-03:00")]
    public async Task WhenACompleteTimestampIsOutsideTheWindow_Then400WithTheFieldAndNothingCharged(string field, string value)
    {
        var (a, _, sw) = await PrepaidCircuit(5m);
        var id = "t-" + Guid.NewGuid().ToString("N");
        await AuthorizeOk(sw, id, a);
        var r = await sw.PostAsync($"/api/calls/{id}/complete", Json($$"""{"durationSeconds":30,"{{field}}":"{{value}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(field, await ErrorField(r));
        Assert.Equal(5m, await LedgerSum(a));
        // still billable with a sane timestamp
        var ok = await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 30, answeredAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task WhenACallIdBelongsToAnotherCircuit_Then409NamingIt_AndNothingCharged()
    {
        var (a, _, sw) = await PrepaidCircuit(5m);
        var (b, _, _) = await PrepaidCircuit(5m);
        var id = "x-" + Guid.NewGuid().ToString("N");
        await AuthorizeOk(sw, id, a);

        var auth = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = id, account = b, destination = "1133334444" });
        Assert.Equal(HttpStatusCode.Conflict, auth.StatusCode);
        Assert.Contains(id, (await auth.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 60 })).StatusCode);
        var other = await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 120, account = b, destination = "1133334444" });
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        var detail = (await other.JsonAsync()).GetProperty("detail").GetString();
        Assert.Contains(id, detail, StringComparison.Ordinal);
        Assert.Contains(a, detail, StringComparison.Ordinal);
        Assert.Equal(5m, await LedgerSum(b));
        Assert.Equal(5m - 0.10m, await LedgerSum(a));
    }

    [Fact]
    public async Task WhenTheCircuitAndTheRouteShardReactivate_ThenHoldsExtendsAndRetriedCompletesSurvive()
    {
        var (a, admin, sw) = await PrepaidCircuit(2m);
        var live = "h-" + Guid.NewGuid().ToString("N");
        var done = "d-" + Guid.NewGuid().ToString("N");
        await AuthorizeOk(sw, live, a);
        await AuthorizeOk(sw, done, a);
        var first = await (await sw.PostAsJsonAsync($"/api/calls/{done}/complete", new { durationSeconds = 90 })).JsonAsync();
        var before = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
        Assert.Equal(0.50m, before.GetProperty("reserved").GetDecimal()); // 300 s at R$ 0,10/min

        // a restart of everything that held the call in memory: the circuit and both calls' route shards
        await cluster.Grains.GetGrain<ICircuitGrain>("ckt:" + a).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        foreach (var id in new[] { live, done })
            await cluster.Grains.RouteShard(id, CallRoutes.DefaultShards).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(300);

        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
        Assert.Equal(before.GetProperty("reserved").GetDecimal(), after.GetProperty("reserved").GetDecimal());
        Assert.Equal(before.GetProperty("available").GetDecimal(), after.GetProperty("available").GetDecimal());
        var extend = await (await sw.PostAsync($"/api/calls/{live}/extend", null)).JsonAsync();
        Assert.True(extend.GetProperty("allowed").GetBoolean(), extend.ToString());

        // retried completes of the settled call, without and with the account: the first answer, never 404
        foreach (var body in new object[] { new { durationSeconds = 90 }, new { durationSeconds = 90, account = a } })
        {
            var again = await sw.PostAsJsonAsync($"/api/calls/{done}/complete", body);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(first.GetProperty("cost").GetDecimal(), (await again.JsonAsync()).GetProperty("cost").GetDecimal());
        }
        var settled = await sw.PostAsJsonAsync($"/api/calls/{live}/complete", new { durationSeconds = 400 });
        Assert.Equal(HttpStatusCode.OK, settled.StatusCode);
        Assert.Equal(2m - 0.15m - 0.67m, await LedgerSum(a));
        var end = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
        Assert.Equal(0m, end.GetProperty("reserved").GetDecimal());
    }

    [Fact]
    public async Task WhenACdrImportMixesBadAndGoodRows_ThenEveryGoodRowIsAppliedOnceAndEveryBadOneRejected()
    {
        var (a, _, sw) = await PrepaidCircuit(20m);
        var now = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var rows = new List<object>
        {
            new { callId = $"i1-{tag}", account = a, destination = "1133334444", direction = "outbound", start = now, durationSeconds = 60 },
            new { callId = $"i2-{tag}", account = a, destination = "11333\u00004444", direction = "outbound", start = now, durationSeconds = 60 },
            new { callId = $"i3-{tag}", account = a, destination = "1133334444", direction = "outbound", start = "0001-01-01T00:00:00Z", durationSeconds = 60 },
            new { callId = $"i4-{tag}\u0007", account = a, destination = "1133334444", direction = "outbound", start = now, durationSeconds = 60 },
            new { callId = $"i5-{tag}", account = a, destination = "1133334444", direction = "outbound", start = "2999-01-01T00:00:00Z", durationSeconds = 60 },
            new { callId = $"i6-{tag}", account = a, destination = "1133334444", direction = "outbound", start = now, durationSeconds = 120 },
        };
        for (var round = 0; round < 2; round++)
        {
            var r = await sw.PostAsJsonAsync("/api/cdrs", rows);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var body = await r.JsonAsync();
            Assert.Equal(round == 0 ? 2 : 0, body.GetProperty("accepted").GetInt32());
            Assert.Equal(round == 0 ? 0 : 2, body.GetProperty("duplicates").GetInt32());
            var rejected = body.GetProperty("rejected").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
            Assert.Equal([(2, "destination"), (3, "start"), (4, "callId"), (5, "start")], rejected);
        }
        Assert.Equal(20m - 0.30m, await LedgerSum(a));
    }

    [Fact]
    public async Task WhenACdrUploadIsLargerThanTheLimit_Then413BeforeParsing()
    {
        using var sw = cluster.AsSwitch();
        var bytes = new byte[Billing.Api.Apis.CdrImportApi.MaxCdrUploadBytes + 1];
        bytes.AsSpan().Fill((byte)'9');
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var r = await sw.PostAsync("/api/cdrs", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
    }
}
