using System.Net;
using System.Net.Http.Json;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Resellers;

/// <summary>Inbound calls through DIDs: blacklist, collect calls, siga-me, reseller completion.</summary>
[Collection(ClusterCollection.Name)]
public sealed class InboundCallsTests(ClusterFixture cluster)
{
    private static string CallId() => "in-" + Guid.NewGuid().ToString("N");

    private async Task<(HttpClient Admin, HttpClient Switch, long Reseller, string Account, string Did)> Setup(
        bool acb = false, bool blacklist = false, bool sigame = false, decimal credit = 0m, decimal completion = 0.12m)
    {
        var admin = cluster.AsAdmin();
        var reseller = await ResellerSeed.ResellerAsync(admin, completion: completion);
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var account = await ResellerSeed.CircuitAsync(admin, customer, plan, acb, blacklist, sigame);
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        var did = await ResellerSeed.DidAsync(admin, reseller, account);
        return (admin, cluster.AsSwitch(), reseller, account, did);
    }

    [Fact]
    public async Task WhenTheCallerIsBlacklisted_ThenItIsRefusedAndAnotherCallerIsAllowedOnTheSameDid()
    {
        var (admin, sw, _, account, did) = await Setup(blacklist: true);
        var add = await admin.PostAsJsonAsync($"/api/circuits/{account}/blacklist", new { numbers = new[] { "(11) 3333-4444", "+551133334444", "21987654321" } });
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        var added = await add.JsonAsync();
        Assert.Equal(2, added.GetProperty("added").GetInt32()); // the duplicate is ignored

        var blocked = await ResellerSeed.InboundAsync(sw, CallId(), did, "1133334444");
        Assert.False(blocked.Allowed());
        Assert.Equal("chamador_bloqueado", blocked.Reason());
        var ok = await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666");
        Assert.True(ok.Allowed());
        Assert.Equal(account, ok.GetProperty("account").GetString());
    }

    [Fact]
    public async Task WhenTheCircuitBlacklistFlagIsOff_ThenTheListIsKeptButNotApplied()
    {
        var (admin, sw, _, account, did) = await Setup(blacklist: false);
        await admin.PostAsJsonAsync($"/api/circuits/{account}/blacklist", new { number = "1133334444" });
        Assert.True((await ResellerSeed.InboundAsync(sw, CallId(), did, "+551133334444")).Allowed());
    }

    [Fact]
    public async Task WhenBlacklistNumbersAreInvalidOrRemoved_ThenTheApiAnswers400AndTheListShrinks()
    {
        var (admin, _, _, account, _) = await Setup(blacklist: true);
        var bad = await admin.PostAsJsonAsync($"/api/circuits/{account}/blacklist", new { numbers = new[] { "1133334444", "abc" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("numbers[1]", out _));
        Assert.Equal(0, (await (await admin.GetAsync($"/api/circuits/{account}/blacklist")).JsonAsync()).GetProperty("numbers").GetArrayLength());

        await admin.PostAsJsonAsync($"/api/circuits/{account}/blacklist", new { numbers = new[] { "1133334444", "1144445555" } });
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/circuits/{account}/blacklist?number=%2B551133334444")).StatusCode);
        var list = await (await admin.GetAsync($"/api/circuits/{account}/blacklist")).JsonAsync();
        Assert.Equal("+551144445555", Assert.Single(list.GetProperty("numbers").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task WhenTheDidIsUnknownOrReleased_ThenTheCallIsRefusedAsDidDesconhecido()
    {
        var (admin, sw, _, _, did) = await Setup();
        Assert.Equal("did_desconhecido", (await ResellerSeed.InboundAsync(sw, CallId(), ResellerSeed.NewDid(), "1155556666")).Reason());
        Assert.True((await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666")).Allowed());
        await admin.PostAsync($"/api/dids/{Uri.EscapeDataString(did)}/release", null);
        Assert.Equal("did_desconhecido", (await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666")).Reason());
    }

    [Fact]
    public async Task WhenTheSwitchSendsTheDidAsDestinationOrNoDidAtAll_ThenItIsRoutedOrRefusedWith400()
    {
        var (_, sw, _, account, did) = await Setup();
        var national = "11" + did[5..];  // DDD + number, no country code
        var r = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = CallId(), direction = "inbound", destination = national, caller = "1155556666" });
        var body = await r.JsonAsync();
        Assert.True(body.Allowed());
        Assert.Equal(account, body.GetProperty("account").GetString());
        Assert.Equal(did, body.GetProperty("did").GetString());
        var missing = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = CallId(), direction = "inbound", caller = "1155556666" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        // a switch naming another circuit than the DID's owner is refused
        var wrong = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = CallId(), account = "1", direction = "inbound", did });
        Assert.Equal("did_desconhecido", (await wrong.JsonAsync()).Reason());
    }

    [Fact]
    public async Task WhenACollectCallArrives_ThenItIsAcceptedOnlyWithAcbOnTheDidAndTheCircuit()
    {
        var (admin, sw, _, _, did) = await Setup(acb: true);
        var url = $"/api/dids/{Uri.EscapeDataString(did)}/settings";
        Assert.Equal("a_cobrar_recusada", (await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666", collect: true)).Reason());
        Assert.Equal("a_cobrar_recusada", (await ResellerSeed.InboundAsync(sw, CallId(), did, "902111987654321")).Reason()); // 90+CSP
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync(url, new { acceptsCollect = true })).StatusCode);
        Assert.True((await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666", collect: true)).Allowed());
        Assert.True((await ResellerSeed.InboundAsync(sw, CallId(), did, "902111987654321")).Allowed());

        // the DID accepts, but the circuit's acb flag is off: refused
        var (admin2, sw2, _, _, did2) = await Setup(acb: false);
        await admin2.PutAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did2)}/settings", new { acceptsCollect = true });
        Assert.Equal("a_cobrar_recusada", (await ResellerSeed.InboundAsync(sw2, CallId(), did2, "1155556666", collect: true)).Reason());
        Assert.True((await ResellerSeed.InboundAsync(sw2, CallId(), did2, "1155556666")).Allowed());
    }

    [Fact]
    public async Task WhenSigameTargetsADestinationOutsideThePlan_ThenTheSettingIsRefusedWith400()
    {
        var (admin, _, _, _, did) = await Setup(sigame: true);
        var url = $"/api/dids/{Uri.EscapeDataString(did)}/settings";
        // the seed plan prices no LDI: +1 415… is a number the circuit could not dial
        var r = await admin.PutAsJsonAsync(url, new { sigame = new { enabled = true, destination = "+14155550100" } });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.JsonAsync()).GetProperty("errors").TryGetProperty("sigame.destination", out _));
        var invalid = await admin.PutAsJsonAsync(url, new { sigame = new { enabled = true, destination = "12" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var ok = await admin.PutAsJsonAsync(url, new { sigame = new { enabled = true, destination = "11987654321" } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task WhenSigameIsOn_ThenAuthorizeForwardsAndTheLegIsRatedLikeAnOutboundCall()
    {
        var (admin, sw, reseller, account, did) = await Setup(sigame: true, credit: 5m, completion: 0.12m);
        await admin.PutAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/settings", new { sigame = new { enabled = true, destination = "11987654321" } });
        var callId = CallId();
        var auth = await ResellerSeed.InboundAsync(sw, callId, did, "1155556666");
        Assert.True(auth.Allowed());
        Assert.Equal("+5511987654321", auth.GetProperty("forwardTo").GetString());
        Assert.Equal("local_movel", auth.GetProperty("callType").GetString());

        var done = await (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 90 })).JsonAsync();
        Assert.Equal(0.15m, done.GetProperty("cost").GetDecimal());      // 90 s at R$ 0,10/min, per second
        Assert.Equal(4.85m, done.GetProperty("balance").GetDecimal());
        await using var cmd = cluster.Db.CreateCommand("SELECT reseller_id, reseller_amount, did, direction FROM ledger WHERE call_id = @c");
        cmd.Parameters.AddWithValue("c", callId);
        await using var row = await cmd.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(reseller, row.GetInt64(0));
        Assert.Equal(0.18m, row.GetDecimal(1));                          // 90 s at R$ 0,12/min for the reseller
        Assert.Equal(did, row.GetString(2));
        Assert.Equal("outbound", row.GetString(3));
    }

    [Fact]
    public async Task WhenSigameLegFindsNoBalance_ThenTheInboundCallIsRefused()
    {
        var (admin, sw, _, _, did) = await Setup(sigame: true, credit: 0m);
        await admin.PutAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/settings", new { sigame = new { enabled = true, destination = "11987654321" } });
        Assert.Equal("saldo_insuficiente", (await ResellerSeed.InboundAsync(sw, CallId(), did, "1155556666")).Reason());
    }

    [Fact]
    public async Task WhenAnInboundCallCompletes_ThenTheCircuitPaysNothingAndTheResellerTotalsGrow()
    {
        var (admin, sw, reseller, account, did) = await Setup(credit: 1m, completion: 0.12m);
        var before = await (await admin.GetAsync($"/api/resellers/{reseller}/totals")).JsonAsync();
        Assert.Equal(0m, before.GetProperty("monthAmount").GetDecimal());
        var callId = CallId();
        Assert.True((await ResellerSeed.InboundAsync(sw, callId, did, "1155556666")).Allowed());
        var done = await (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 61 })).JsonAsync();
        Assert.Equal(0m, done.GetProperty("cost").GetDecimal());
        Assert.Equal(1m, done.GetProperty("balance").GetDecimal());
        // retried complete: never counted twice
        await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 61 });

        var totals = await WaitForTotals(admin, reseller, 0.12m);
        Assert.Equal(1, totals.GetProperty("monthCalls").GetInt32());
        Assert.Equal(0.12m, totals.GetProperty("today").GetProperty("amount").GetDecimal());
        Assert.Equal(61, totals.GetProperty("today").GetProperty("seconds").GetInt64());
    }

    internal static async Task<System.Text.Json.JsonElement> WaitForTotals(HttpClient admin, long reseller, decimal expected)
    {
        System.Text.Json.JsonElement t = default;
        for (var i = 0; i < 50; i++)
        {
            t = await (await admin.GetAsync($"/api/resellers/{reseller}/totals")).JsonAsync();
            if (t.GetProperty("monthAmount").GetDecimal() == expected) return t;
            await Task.Delay(100);
        }
        Assert.Equal(expected, t.GetProperty("monthAmount").GetDecimal());
        return t;
    }
}
