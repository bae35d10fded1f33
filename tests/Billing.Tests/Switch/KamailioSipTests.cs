using System.Net.Http.Json;
using System.Text.Json;
using Billing.Silo.Switch;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Switch;

/// <summary>
/// One real Kamailio (the shipped config) per test class, a carrier UAS and a circuit UAC on loopback, and the silo's
/// evapi connector of the shared test cluster connected to it (started by the first test: a class fixture cannot see
/// the collection's cluster).
/// </summary>
public sealed class KamailioFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _connect = new(1, 1);
    private EvapiConnector? _connector;

    public KamailioProcess Kamailio { get; private set; } = null!;
    public SipAgent Carrier { get; } = new("carrier");
    public SipAgent Phone { get; } = new("circuit");

    public async Task InitializeAsync()
    {
        if (Switch.Kamailio.Binary is null) return; // the tests skip themselves
        Kamailio = await KamailioProcess.StartAsync(KamailioConfigTests.ConfigPath, Carrier.Port);
    }

    /// <summary>The cluster's connector connected to this Kamailio (once per class).</summary>
    public async Task ConnectAsync(ClusterFixture cluster)
    {
        await _connect.WaitAsync();
        try
        {
            if (_connector is not null) return;
            _connector = cluster.Silo.Services.CreateEvapiConnector([new EvapiEndpoint("127.0.0.1", Kamailio.EvapiPort)],
                new EvapiOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) });
            _connector.Start();
            var until = DateTime.UtcNow.AddSeconds(10);
            while (_connector.Connected == 0 && DateTime.UtcNow < until) await Task.Delay(20);
            Assert.True(_connector.Connected > 0, "o conector não conectou ao evapi do Kamailio:\n" + Kamailio.Log);
            // Kamailio counts the connection in event_route[evapi:connection-new], a moment after the TCP accept
            await Task.Delay(300);
        }
        finally
        {
            _connect.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_connector is not null) await _connector.DisposeAsync();
        await Phone.DisposeAsync();
        await Carrier.DisposeAsync();
        if (Kamailio is not null) await Kamailio.DisposeAsync();
        _connect.Dispose();
    }
}

/// <summary>
/// SIP-level tests: real SIP over loopback through a real Kamailio with deploy/kamailio/kamailio.cfg, authorized and
/// billed by the test cluster over evapi. INVITEs are not digest-authenticated yet (the cfg takes the circuit from the
/// From user).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KamailioSipTests(ClusterFixture cluster, KamailioFixture sip) : IClassFixture<KamailioFixture>
{
    private const string Local = "1133334444";

    private async Task<(string Account, HttpClient Admin)> Circuit(decimal credit, decimal price = 0.60m, string status = "ativo")
    {
        await sip.ConnectAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, price);
        var account = await Seed.CircuitAsync(admin, customer, plan, status: status);
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        return (account, admin);
    }

    /// <summary>The ledger row of a call, waiting for Kamailio's complete to be billed.</summary>
    private async Task<(int Duration, int Billed, decimal Amount)?> LedgerRow(string callId, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        do
        {
            await using var cmd = cluster.Db.CreateCommand(
                "SELECT duration_seconds, billed_seconds, amount FROM ledger WHERE call_id = @c AND kind = 'call'");
            cmd.Parameters.AddWithValue("c", callId);
            await using var r = await cmd.ExecuteReaderAsync();
            if (await r.ReadAsync()) return (r.GetInt32(0), r.GetInt32(1), r.GetDecimal(2));
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        return null;
    }

    private static async Task<JsonElement> Balance(HttpClient admin, string account) =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}/balance");

    [KamailioFact]
    public async Task WhenTheCarrierAnswersAndTheCallerHangsUpAfterTwoSeconds_ThenTheCallIsBilledWithItsAnsweredDuration()
    {
        var (account, admin) = await Circuit(10m);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        var invite = await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "INVITE", TimeSpan.FromSeconds(2), "INVITE na operadora");
        Assert.StartsWith($"INVITE sip:{Local}@127.0.0.1:{sip.Carrier.Port}", invite.StartLine, StringComparison.Ordinal);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(2), "ACK na operadora");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var bye = await call.HangUpAsync();
        Assert.Equal(200, bye.Status);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(2), "BYE na operadora");

        var row = await LedgerRow(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(row is not null, "nenhuma linha no ledger para " + call.CallId + "\n" + sip.Kamailio.Log);
        // Kamailio measures whole seconds ($TS - start_ts): 2 s of talk are 2 or 3 depending on the second boundary
        Assert.InRange(row.Value.Duration, 2, 3);
        Assert.Equal(row.Value.Duration, row.Value.Billed);
        Assert.Equal(-0.01m * row.Value.Billed, row.Value.Amount);
        var balance = await Balance(admin, account);
        Assert.Equal(10m - 0.01m * row.Value.Billed, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenAPrepaidCircuitHasCreditForFourSeconds_ThenKamailioSendsByeToBothSidesAtTheLimitAndFourSecondsAreBilled()
    {
        // 0.60/min per second = 0.01 per second: 0.04 buys exactly 4 s
        var (account, admin) = await Circuit(0.04m);

        var started = DateTime.UtcNow;
        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        var byeToCaller = await sip.Phone.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(9), "BYE do Kamailio ao circuito");
        var elapsed = DateTime.UtcNow - started;
        // the carrier's BYE usually follows at once; in 2 of ~8 runs it had not come 2 s after the caller's (see README)
        SipMessage byeToCarrier;
        try
        {
            byeToCarrier = await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(6), "BYE do Kamailio à operadora");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + sip.Kamailio.Grep(call.CallId), e);
        }
        // the dialog timer ticks in whole seconds from an answer inside a second: the BYE leaves 3–5 s after the INVITE
        Assert.InRange(elapsed.TotalSeconds, 2.9, 6.5);
        Assert.NotNull(byeToCaller);
        Assert.NotNull(byeToCarrier);

        var row = await LedgerRow(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(row is not null, "nenhuma linha no ledger para " + call.CallId + "\n" + sip.Kamailio.Log);
        // ended by the dialog timer, not by a BYE: the complete says the granted seconds, whatever the whole-second clocks read
        Assert.True(sip.Kamailio.Logged($"billing: {call.CallId} reached its granted 4 s"), sip.Kamailio.Grep(call.CallId));
        Assert.Equal(4, row.Value.Duration);
        Assert.Equal(4, row.Value.Billed);
        Assert.Equal(-0.04m, row.Value.Amount);
        var balance = await Balance(admin, account);
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenEachRefusalReasonHappens_ThenTheInviteIsAnsweredWithItsSipCodeAndNothingReachesTheCarrier()
    {
        var (broke, _) = await Circuit(0m);
        var (funded, _) = await Circuit(10m);
        var (blocked, _) = await Circuit(10m, status: "bloqueado");
        var cases = new (string Reason, string Account, string Destination, int Sip)[]
        {
            ("saldo_insuficiente", broke, Local, 402),
            ("circuito_desconhecido", "99999999999999", Local, 403),
            ("circuito_bloqueado", blocked, Local, 403),
            ("destino_nao_permitido", funded, "+442071234567", 403),
            ("destino_invalido", funded, "1234567", 484),
        };
        foreach (var (reason, account, destination, code) in cases)
        {
            var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, destination);
            Assert.True(call.Status == code, $"{reason}: {call.Final.StartLine}\n{sip.Kamailio.Log}");
            Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
            Assert.Null(await LedgerRow(call.CallId, TimeSpan.Zero));
        }
    }

    [KamailioFact]
    public async Task WhenTheCarrierIsBusy_ThenTheCallerGets486NothingIsBilledAndTheReservationIsReleased()
    {
        var (account, admin) = await Circuit(10m);
        var callId = "sip-busy-" + Guid.NewGuid().ToString("N");
        sip.Carrier.AnswerWith(callId, CarrierAnswer.Busy);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local, callId);
        Assert.True(call.Status == 486, call.Final.StartLine + "\n" + sip.Kamailio.Log);

        var until = DateTime.UtcNow.AddSeconds(5);
        JsonElement balance;
        do
        {
            balance = await Balance(admin, account);
            if (balance.GetProperty("reserved").GetDecimal() == 0m) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        Assert.Equal(10m, balance.GetProperty("balance").GetDecimal());
        // the complete of 0 s may leave a zero row (the call's record), never a charge
        if (await LedgerRow(call.CallId, TimeSpan.FromMilliseconds(500)) is { } row)
        {
            Assert.Equal(0, row.Billed);
            Assert.Equal(0m, row.Amount);
        }
        Assert.DoesNotContain(sip.Phone.Received(callId), m => m.IsRequest && m.Method == "BYE");
    }
}
