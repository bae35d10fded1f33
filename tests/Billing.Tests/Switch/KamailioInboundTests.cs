using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Infrastructure;
using Billing.Tests.Resellers;

namespace Billing.Tests.Switch;

/// <summary>
/// Inbound calls with real SIP through a real Kamailio (the shipped config): the carrier (<see cref="KamailioFixture.Carrier"/>,
/// whose address is BILLING_SIP_CARRIER) brings calls to DIDs as UAC and receives siga-me legs as UAS; the circuit's
/// phone (<see cref="KamailioFixture.Phone"/>) answers calls delivered to its registered contact. Authorized and billed
/// by the test cluster over evapi.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KamailioInboundTests(ClusterFixture cluster, KamailioFixture sip) : IClassFixture<KamailioFixture>
{
    private const string Caller = "1155556666";

    /// <summary>A circuit (plan R$ 0,60/min per second), a reseller (completion R$ 0,60/min) and a DID of the circuit.</summary>
    private async Task<(HttpClient Admin, long Reseller, string Account, string Did)> Setup(
        decimal credit = 0m, bool blacklist = false, bool sigame = false, bool acb = false)
    {
        await sip.ConnectAsync(cluster);
        var admin = cluster.AsAdmin();
        var reseller = await ResellerSeed.ResellerAsync(admin, completion: 0.60m);
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.60m);
        var account = await ResellerSeed.CircuitAsync(admin, customer, plan, acb, blacklist, sigame);
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        var did = await ResellerSeed.DidAsync(admin, reseller, account);
        return (admin, reseller, account, did);
    }

    private sealed record Row(string Direction, int Duration, int Billed, decimal Amount, long? Reseller, decimal? ResellerAmount,
        string? Did, string? Normalized, string? Caller, string? Description);

    /// <summary>The ledger row of a call, waiting for Kamailio's complete to be billed.</summary>
    private async Task<Row?> LedgerRow(string callId, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        do
        {
            await using var cmd = cluster.Db.CreateCommand(
                """
                SELECT direction, duration_seconds, billed_seconds, amount, reseller_id, reseller_amount, did, normalized, caller, description
                FROM ledger WHERE call_id = @c AND kind = 'call'
                """);
            cmd.Parameters.AddWithValue("c", callId);
            await using var r = await cmd.ExecuteReaderAsync();
            if (await r.ReadAsync())
            {
                var row = new Row(r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetDecimal(3),
                    r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : r.GetDecimal(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
                    r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9));
                Assert.False(await r.ReadAsync(), "mais de uma linha no ledger para " + callId);
                return row;
            }
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        return null;
    }

    [KamailioFact]
    public async Task WhenTheCallerIsBlacklisted_ThenTheCarrierGets603NothingIsBilledAndOtherCallersGetThrough()
    {
        var (admin, _, account, did) = await Setup(blacklist: true);
        var add = await admin.PostAsJsonAsync($"/api/circuits/{account}/blacklist", new { numbers = new[] { "1133334444" } });
        Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());

        // the caller in From, and the caller asserted by the carrier (P-Asserted-Identity) behind an anonymous From
        var inFrom = await sip.Carrier.CallAsync(sip.Kamailio.Sip, "1133334444", did);
        var asserted = await sip.Carrier.CallAsync(sip.Kamailio.Sip, "anonymous", did,
            headers: ["P-Asserted-Identity: <sip:+551133334444@carrier.example>"]);
        foreach (var call in new[] { inFrom, asserted })
        {
            Assert.True(call.Status == 603, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
            Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest);
            Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
            Assert.Null(await LedgerRow(call.CallId, TimeSpan.Zero));
        }
        // another caller is not refused by the blacklist: the circuit is not registered, so 480
        var other = await sip.Carrier.CallAsync(sip.Kamailio.Sip, Caller, did);
        Assert.True(other.Status == 480, other.Final.StartLine + "\n" + sip.Kamailio.Grep(other.CallId));
        var balance = await CircuitBalances.Settled(admin, account);
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenACollectCallReachesADidThatRefusesCollectCalls_ThenTheCarrierGets603()
    {
        // acb on the circuit, but the DID does not accept collect calls
        var (admin, _, account, did) = await Setup(acb: true);
        // a collect call reaches the DID with 90 + CSP + DDD + number as the caller (README: inbound calls)
        var call = await sip.Carrier.CallAsync(sip.Kamailio.Sip, "902111987654321", did);
        Assert.True(call.Status == 603, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest);
        Assert.Null(await LedgerRow(call.CallId, TimeSpan.Zero));

        // the same DID once it accepts collect calls: authorized (then 480: nobody registered)
        var put = await admin.PutAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/settings", new { acceptsCollect = true });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var accepted = await sip.Carrier.CallAsync(sip.Kamailio.Sip, "902111987654321", did);
        Assert.True(accepted.Status == 480, accepted.Final.StartLine + "\n" + sip.Kamailio.Grep(accepted.CallId));
        Assert.Equal(0m, (await CircuitBalances.Settled(admin, account)).GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenTheDidsCircuitIsNotRegistered_ThenTheCarrierGets480AndTheReservationIsReleasedWithoutCharge()
    {
        var (admin, reseller, account, did) = await Setup(credit: 1m);
        var call = await sip.Carrier.CallAsync(sip.Kamailio.Sip, Caller, did);
        Assert.True(call.Status == 480, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest);

        // Kamailio sent a complete of 0 s: the reservation is released, the record of the call costs nobody anything
        var row = await LedgerRow(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(row is not null, "nenhum complete de 0 s para " + call.CallId + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.Equal(("inbound", 0, 0, 0m), (row.Direction, row.Duration, row.Billed, row.Amount));
        Assert.Equal(reseller, row.Reseller);
        Assert.Equal(0m, row.ResellerAmount);
        Assert.Equal(did, row.Did);
        var balance = await CircuitBalances.Settled(admin, account);
        Assert.Equal(1m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenTheDidHasSigame_ThenTheCarrierGetsTheInviteForTheForwardNumberAndTheLegIsBilledOnceUpToItsGrantedSeconds()
    {
        // R$ 0,03 at R$ 0,60/min per second buys exactly 3 s of the forwarded leg
        var (admin, reseller, account, did) = await Setup(credit: 0.03m, sigame: true);
        var put = await admin.PutAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/settings",
            new { sigame = new { enabled = true, destination = "11987654321" } });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var call = await sip.Carrier.CallAsync(sip.Kamailio.Sip, Caller, did);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
        // the carrier received (as UAS) the INVITE of the forwarded leg, for the forward number in E.164
        var forwarded = await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "INVITE", TimeSpan.FromSeconds(2), "INVITE do siga-me");
        Assert.StartsWith($"INVITE sip:+5511987654321@127.0.0.1:{sip.Carrier.Port}", forwarded.StartLine, StringComparison.Ordinal);
        Assert.Contains(Caller, forwarded.Header("From"), StringComparison.Ordinal);
        Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest);

        // at the granted 3 s the dialog module sends BYE both ways: the carrier is both sides of this call
        var until = DateTime.UtcNow.AddSeconds(10);
        while (sip.Carrier.Received(call.CallId).Count(m => m.IsRequest && m.Method == "BYE") < 2 && DateTime.UtcNow < until)
            await Task.Delay(50);
        Assert.True(sip.Carrier.Received(call.CallId).Count(m => m.IsRequest && m.Method == "BYE") == 2,
            "BYE nos dois lados: " + string.Join(" | ", sip.Carrier.Received(call.CallId).Select(m => m.StartLine)) + "\n" + sip.Kamailio.Log);
        // the second BYE was not refused because the first leg's 200 OK had already ended the dialog (kamailio.cfg onreply_route)
        Assert.False(sip.Kamailio.Logged("terminating non-confirmed dialogs"), sip.Kamailio.Grep("dialog"));

        var row = await LedgerRow(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(row is not null, "nenhuma linha no ledger para " + call.CallId + "\n" + sip.Kamailio.Grep(call.CallId));
        // one row: the circuit's outbound leg by its plan, the reseller's completion of the inbound minutes
        Assert.Equal("outbound", row.Direction);
        Assert.Equal(3, row.Duration);
        Assert.Equal(3, row.Billed);
        Assert.Equal(-0.03m, row.Amount);
        Assert.Equal("+5511987654321", row.Normalized);
        Assert.Equal(reseller, row.Reseller);
        Assert.Equal(0.03m, row.ResellerAmount);
        Assert.Equal(did, row.Did);
        Assert.Equal("siga-me " + did, row.Description);
        var balance = await CircuitBalances.Settled(admin, account);
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        var totals = await InboundCallsTests.WaitForTotals(admin, reseller, 0.03m);
        Assert.Equal(1, totals.GetProperty("monthCalls").GetInt32());
    }

    [KamailioFact]
    public async Task WhenTheCircuitIsRegistered_ThenTheCallIsDeliveredToItsContactAndOnlyTheResellerPaysTheCompletion()
    {
        var (admin, reseller, account, did) = await Setup(credit: 1m);
        // the contact REGISTER would save (REGISTER with digest auth is another step): put in usrloc over ctl
        await sip.Kamailio.KamcmdAsync("ul.add", "location", "s:" + account, $"s:sip:{account}@127.0.0.1:{sip.Phone.Port}",
            "3600", "1.0", "s:.", "0", "0", "0");

        var call = await sip.Carrier.CallAsync(sip.Kamailio.Sip, Caller, did);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
        var delivered = await sip.Phone.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "INVITE", TimeSpan.FromSeconds(2), "INVITE no circuito");
        Assert.StartsWith($"INVITE sip:{account}@127.0.0.1:{sip.Phone.Port}", delivered.StartLine, StringComparison.Ordinal);
        await sip.Phone.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(2), "ACK no circuito");
        Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var bye = await call.HangUpAsync();
        Assert.Equal(200, bye.Status);
        await sip.Phone.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(2), "BYE no circuito");

        var row = await LedgerRow(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(row is not null, "nenhuma linha no ledger para " + call.CallId + "\n" + sip.Kamailio.Grep(call.CallId));
        // Kamailio measures whole seconds: 2 s of talk are 2 or 3
        Assert.InRange(row.Duration, 2, 3);
        Assert.Equal("inbound", row.Direction);
        Assert.Equal(row.Duration, row.Billed);
        Assert.Equal(0m, row.Amount);
        Assert.Equal(reseller, row.Reseller);
        Assert.Equal(0.01m * row.Duration, row.ResellerAmount);
        Assert.Equal(did, row.Did);
        Assert.Equal(Caller, row.Caller);
        var balance = await CircuitBalances.Settled(admin, account);
        Assert.Equal(1m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenAnInviteComesFromTheCarriersIpButAnotherPort_ThenItIsNotTakenForTheCarrier()
    {
        var (_, _, _, did) = await Setup();
        // same IP as the carrier, another port: taken for a circuit calling out, so digest-challenged (407) like every
        // circuit, not authorized as an inbound call
        await using var impostor = new SipAgent("impostor");
        var call = await impostor.CallAsync(sip.Kamailio.Sip, Caller, did);
        Assert.True(call.Status == 407, call.Final.StartLine + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest);
        Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
    }
}
