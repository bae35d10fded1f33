using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Tests.Infrastructure;
using Npgsql;

namespace Billing.Tests.Calls;

[Collection(ClusterCollection.Name)]
public sealed class CallsApiTests(ClusterFixture cluster)
{
    private Task<(string Account, HttpClient Admin, HttpClient Switch)> PrepaidCircuit(decimal credit, decimal price = 0.10m) =>
        Seed.PrepaidCircuitAsync(cluster, credit, price);

    private async Task<decimal> LedgerSum(string account)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        return (decimal)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> LedgerCalls(string account)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM ledger WHERE account = @a AND kind = 'call'");
        cmd.Parameters.AddWithValue("a", account);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static Task<HttpResponseMessage> Authorize(HttpClient sw, string callId, string account, string destination) =>
        sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination, direction = "outbound" });

    [Fact]
    public async Task WhenTheSameCompleteIsSentThreeTimes_ThenItIsChargedOnceWithTheSameAnswer()
    {
        var (account, _, sw) = await PrepaidCircuit(10m);
        var callId = "c-" + Guid.NewGuid().ToString("N");
        var auth = await (await Authorize(sw, callId, account, "1133334444")).JsonAsync();
        Assert.True(auth.GetProperty("allowed").GetBoolean());
        Assert.Equal("local_fixo", auth.GetProperty("callType").GetString());

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var r = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 61 });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            answers.Add(await r.Content.ReadAsStringAsync());
        }
        Assert.Single(answers.Distinct());
        var first = JsonDocument.Parse(answers[0]).RootElement;
        Assert.Equal(0.10m, first.GetProperty("cost").GetDecimal()); // 61 s at R$ 0,10/min per second = 0,1016 → 0,10
        Assert.Equal(61, first.GetProperty("billedSeconds").GetInt32());
        Assert.Equal(9.90m, first.GetProperty("balance").GetDecimal());
        Assert.Equal(1, await LedgerCalls(account));
        Assert.Equal(9.90m, await LedgerSum(account));
    }

    [Fact]
    public async Task WhenThirtyConcurrentCallsShareOneReal_ThenTheyNeverSpendMoreThanTheBalance()
    {
        var (account, admin, sw) = await PrepaidCircuit(1.00m);
        var ids = Enumerable.Range(0, 30).Select(i => $"ov-{i}-{Guid.NewGuid():N}").ToList();
        var auths = await Task.WhenAll(ids.Select(id => Authorize(sw, id, account, "1133334444")));
        var allowed = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            var a = await auths[i].JsonAsync();
            if (a.GetProperty("allowed").GetBoolean()) allowed.Add(ids[i]);
            else Assert.Equal("saldo_insuficiente", a.GetProperty("reason").GetString());
        }
        Assert.NotEmpty(allowed);
        var completes = await Task.WhenAll(allowed.Select(id => sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 60 })));
        Assert.All(completes, c => Assert.Equal(HttpStatusCode.OK, c.StatusCode));

        var charged = 1.00m - await LedgerSum(account);
        Assert.True(charged <= 1.00m, $"cobrado {charged}");
        var balance = await (await admin.GetAsync($"/api/circuits/{account}/balance")).JsonAsync();
        Assert.True(balance.GetProperty("balance").GetDecimal() >= 0m);
        Assert.Equal(await LedgerSum(account), balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        Assert.Equal("BRL", balance.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task WhenBalanceRunsOut_ThenAuthorizeGrantsOnlyWhatIsLeftAndThenRefuses()
    {
        var (account, _, sw) = await PrepaidCircuit(0.05m, price: 0.60m); // R$ 0,01 per second
        var a = await (await Authorize(sw, "lo-1-" + Guid.NewGuid().ToString("N"), account, "1133334444")).JsonAsync();
        Assert.True(a.GetProperty("allowed").GetBoolean());
        Assert.Equal(5, a.GetProperty("maxSeconds").GetInt32());
        var b = await (await Authorize(sw, "lo-2-" + Guid.NewGuid().ToString("N"), account, "1133334444")).JsonAsync();
        Assert.False(b.GetProperty("allowed").GetBoolean());
        Assert.Equal("saldo_insuficiente", b.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task WhenTheCircuitIsBlocked_ThenCallsAreRefusedButEmergencyIsAllowed()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains);
        var account = await Seed.CircuitAsync(admin, customer, plan, status: "bloqueado");
        var sw = cluster.AsSwitch();
        var normal = await (await Authorize(sw, "bl-" + Guid.NewGuid().ToString("N"), account, "1133334444")).JsonAsync();
        Assert.Equal("circuito_bloqueado", normal.GetProperty("reason").GetString());
        var emergency = await (await Authorize(sw, "em-" + Guid.NewGuid().ToString("N"), account, "190")).JsonAsync();
        Assert.True(emergency.GetProperty("allowed").GetBoolean());
        Assert.Equal("emergencia", emergency.GetProperty("callType").GetString());
    }

    [Theory]
    [InlineData("99999999999999", "1133334444", "circuito_desconhecido")]
    [InlineData(null, "12ab", "destino_invalido")]
    [InlineData(null, "1234567", "destino_invalido")]
    [InlineData(null, "+442071234567", "destino_nao_permitido")]
    public async Task WhenAuthorizeCannotGo_ThenTheReasonIsGiven(string? account, string destination, string reason)
    {
        var (own, _, sw) = await PrepaidCircuit(5m);
        var a = await (await Authorize(sw, "rf-" + Guid.NewGuid().ToString("N"), account ?? own, destination)).JsonAsync();
        Assert.False(a.GetProperty("allowed").GetBoolean());
        Assert.Equal(reason, a.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task WhenACompleteArrivesWithoutAuthorize_ThenItIsStillRated()
    {
        var (account, _, sw) = await PrepaidCircuit(10m);
        var callId = "na-" + Guid.NewGuid().ToString("N");
        var r = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete",
            new { durationSeconds = 120, account, destination = "11987654321", startedAt = DateTimeOffset.UtcNow.AddMinutes(-3) });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.JsonAsync();
        Assert.Equal("local_movel", body.GetProperty("callType").GetString());
        Assert.Equal(0.20m, body.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task WhenLongCallsExtend_ThenTheNextChunkIsReservedUntilTheMoneyEnds()
    {
        var (account, _, sw) = await PrepaidCircuit(0.50m, price: 0.06m); // R$ 0,001 per second → 500 s of credit
        var callId = "ex-" + Guid.NewGuid().ToString("N");
        var a = await (await Authorize(sw, callId, account, "1133334444")).JsonAsync();
        Assert.Equal(300, a.GetProperty("maxSeconds").GetInt32());
        var e1 = await (await sw.PostAsync($"/api/calls/{callId}/extend", null)).JsonAsync();
        Assert.True(e1.GetProperty("allowed").GetBoolean());
        // R$ 0,50 buys 504 s: cost(504 s) = 0,504 → R$ 0,50 once rounded
        Assert.Equal(204, e1.GetProperty("maxSeconds").GetInt32());
        var e2 = await (await sw.PostAsync($"/api/calls/{callId}/extend", null)).JsonAsync();
        Assert.False(e2.GetProperty("allowed").GetBoolean());
        Assert.Equal("saldo_insuficiente", e2.GetProperty("reason").GetString());
        var done = await (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 500 })).JsonAsync();
        Assert.Equal(0.50m, done.GetProperty("cost").GetDecimal());
        Assert.Equal(0m, done.GetProperty("balance").GetDecimal());
    }

    [Theory]
    [InlineData("{\"durationSeconds\": -1}", "durationSeconds")]
    [InlineData("{\"durationSeconds\": 999999}", "durationSeconds")]
    [InlineData("{\"durationSeconds\": \"abc\"}", "durationSeconds")]
    [InlineData("isto nao e json", "body")]
    public async Task WhenACompleteIsMalformed_Then400NamesTheFieldAndNothingIsCharged(string json, string field)
    {
        var (account, _, sw) = await PrepaidCircuit(10m);
        var callId = "bad-" + Guid.NewGuid().ToString("N");
        await Authorize(sw, callId, account, "1133334444");
        var r = await sw.PostAsync($"/api/calls/{callId}/complete", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var pd = await r.JsonAsync();
        Assert.True(pd.GetProperty("errors").TryGetProperty(field, out _), await r.Content.ReadAsStringAsync());
        Assert.Equal(0, await LedgerCalls(account));
    }

    [Fact]
    public async Task WhenCreditsRepeatTheirKey_ThenTheyCountOnce()
    {
        var (account, admin, _) = await PrepaidCircuit(0m);
        var body = new { amount = 25.50m, description = "Recarga PIX", idempotencyKey = "pix-" + Guid.NewGuid().ToString("N") };
        var first = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits", body);
        var second = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits", body);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True((await second.JsonAsync()).GetProperty("duplicate").GetBoolean());
        var debit = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits",
            new { amount = -0.50m, description = "Ajuste", idempotencyKey = "adj-" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Created, debit.StatusCode);
        var balance = await (await cluster.AsSwitch().GetAsync($"/api/circuits/{account}/balance")).JsonAsync();
        Assert.Equal(25.00m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(25.00m, await LedgerSum(account));
        var bad = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits", new { amount = 1.234m, description = "x", idempotencyKey = "k" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("amount", out _));
    }

    [Fact]
    public async Task WhenCdrsAreImported_ThenGoodOnesApplyOnceAndBadOnesAreListedAndKept()
    {
        var (account, admin, sw) = await PrepaidCircuit(100m);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToString("O", CultureInfo.InvariantCulture);
        var csv = $"""
                   callId,account,destination,direction,start,durationSeconds
                   imp-{tag}-1,{account},1133334444,outbound,{start},60
                   imp-{tag}-2,{account},11987654321,outbound,{start},30
                   imp-{tag}-3,{account},12ab,outbound,{start},30
                   imp-{tag}-4,{account},1133334444,outbound,{start},-5
                   imp-{tag}-1,{account},1133334444,outbound,{start},60
                   imp-{tag}-6,99999999999,1133334444,outbound,{start},10
                   """;
        var r = await sw.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.JsonAsync();
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        var rejected = body.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal(3, rejected.Count);
        Assert.Equal((4, "destination"), (rejected[0].GetProperty("line").GetInt32(), rejected[0].GetProperty("field").GetString()));
        Assert.Equal((5, "durationSeconds"), (rejected[1].GetProperty("line").GetInt32(), rejected[1].GetProperty("field").GetString()));
        Assert.Equal((7, "account"), (rejected[2].GetProperty("line").GetInt32(), rejected[2].GetProperty("field").GetString()));

        // the same file again: nothing new
        var again = await (await sw.PostAsync("/api/cdrs", new StringContent(csv, Encoding.UTF8, "text/csv"))).JsonAsync();
        Assert.Equal(0, again.GetProperty("accepted").GetInt32());
        Assert.Equal(3, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, await LedgerCalls(account));
        Assert.Equal(100m - 0.10m - 0.05m, await LedgerSum(account));

        var json = JsonSerializer.Serialize(new[]
        {
            new { callId = $"imp-{tag}-j1", account, destination = "1133334444", direction = "outbound", start, durationSeconds = 6 },
        });
        var jr = await (await sw.PostAsync("/api/cdrs", new StringContent(json, Encoding.UTF8, "application/json"))).JsonAsync();
        Assert.Equal(1, jr.GetProperty("accepted").GetInt32());

        var history = await (await admin.GetAsync($"/api/circuits/{account}/calls?pageSize=10")).JsonAsync();
        Assert.Equal(3, history.GetProperty("total").GetInt32());

        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM cdr_rejected WHERE raw LIKE @t");
        cmd.Parameters.AddWithValue("t", $"%imp-{tag}-%");
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 3);

        var malformed = await sw.PostAsync("/api/cdrs", new StringContent("{\"not\": \"an array\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }
}
