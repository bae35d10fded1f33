using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.GrainInterfaces.Circuits;
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
/// billed by the test cluster over evapi. Every REGISTER and INVITE is digest-authenticated with the circuit's Senha SIP
/// (the HA1 Kamailio asks the cluster for with a "credentials" event).
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
        var password = "sip-" + Guid.NewGuid().ToString("N")[..12];
        var set = await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { sipPassword = password });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        sip.Phone.SetPassword(account, password);
        return (account, admin);
    }

    private static async Task<JsonElement> CircuitView(HttpClient admin, string account) =>
        await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}");

    /// <summary>GET /api/circuits/{account} until <paramref name="done"/> holds (or the last one read).</summary>
    private static async Task<JsonElement> CircuitViewUntil(HttpClient admin, string account, Func<JsonElement, bool> done, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        JsonElement view;
        do
        {
            view = await CircuitView(admin, account);
            if (done(view)) return view;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        return view;
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

    [KamailioFact]
    public async Task WhenTheCarrierAnswersAndTheCallerHangsUpAfterTwoSeconds_ThenTheCallIsBilledWithItsAnsweredDuration()
    {
        var (account, admin) = await Circuit(10m);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        // challenged first (407), then let through with the digest of the circuit's Senha SIP
        Assert.Equal([407, 200], call.Answers);
        var invite = await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "INVITE", TimeSpan.FromSeconds(2), "INVITE na operadora");
        // the credentials were for Kamailio: they do not travel on to the carrier
        Assert.Null(invite.Header("Proxy-Authorization"));
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
        var balance = await CircuitBalances.Balance(admin, account);
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
        var balance = await CircuitBalances.Balance(admin, account);
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
    }

    [KamailioFact]
    public async Task WhenEachRefusalReasonHappens_ThenTheInviteIsAnsweredWithItsSipCodeAndNothingReachesTheCarrier()
    {
        var (broke, _) = await Circuit(0m);
        var (funded, _) = await Circuit(10m);
        var (blocked, _) = await Circuit(10m, status: "bloqueado");
        // no such circuit: the phone answers the challenge with some password and is refused like a wrong one
        sip.Phone.SetPassword("99999999999999", "qualquer-senha-1");
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

        var balance = await CircuitBalances.Settled(admin, account);
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

    [KamailioFact]
    public async Task WhenThePasswordIsWrong_ThenTheInviteIsChallengedOnceMoreThenRefused403AndNothingIsReserved()
    {
        var (account, admin) = await Circuit(10m);
        sip.Phone.SetPassword(account, "senha-errada-1");

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        // no credentials -> 407; wrong -> a new challenge (407); wrong again -> 403
        Assert.True(call.Answers.SequenceEqual([407, 407, 403]), string.Join(",", call.Answers) + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
        // never authorized: nothing reserved, nothing billed
        var balance = await CircuitBalances.Balance(admin, account);
        Assert.Equal(10m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, balance.GetProperty("reserved").GetDecimal());
        Assert.Equal(0, (await CircuitView(admin, account)).GetProperty("activeCalls").GetInt32());
        Assert.Null(await LedgerRow(call.CallId, TimeSpan.FromMilliseconds(300)));
    }

    [KamailioFact]
    public async Task WhenTheSipPasswordChanges_ThenKamailioKeepsTheOldOneUntilItsCacheTtlAndThenOnlyTheNewOne()
    {
        // the HA1 of an account Kamailio never asked for is fetched with the INVITE suspended, then authorize suspends it again
        var (account, admin) = await Circuit(10m);
        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, string.Join(",", call.Answers) + "\n" + sip.Kamailio.Grep(call.CallId));
        Assert.Equal(200, (await call.HangUpAsync()).Status);
        var changedAt = DateTime.UtcNow;
        var set = await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { sipPassword = "nova-senha-sip-2" });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);

        // within the cache TTL the old HA1 may still be used (README); after it only the new password passes
        var ttl = TimeSpan.FromSeconds(KamailioProcess.AuthCacheSeconds);
        var cached = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        if (DateTime.UtcNow - changedAt < ttl - TimeSpan.FromMilliseconds(500))
            Assert.True(cached.Status == 200, "a senha antiga deveria valer até o TTL: " + string.Join(",", cached.Answers));
        if (cached.Status == 200) await cached.HangUpAsync();
        await Task.Delay(changedAt + ttl + TimeSpan.FromSeconds(1.5) - DateTime.UtcNow);

        var old = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(old.Answers.SequenceEqual([407, 407, 403]), "senha antiga: " + string.Join(",", old.Answers));
        sip.Phone.SetPassword(account, "nova-senha-sip-2");
        var renewed = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(renewed.Status == 200, "senha nova: " + string.Join(",", renewed.Answers) + "\n" + sip.Kamailio.Grep(renewed.CallId));
        Assert.Equal(200, (await renewed.HangUpAsync()).Status);
    }

    [KamailioFact]
    public async Task WhenACircuitRegisters_ThenItsStatusIsOkWithTheMeasuredKeepaliveLatencyAndItsAddress_AndADeRegisterMakesItOffline()
    {
        var (account, admin) = await Circuit(0m);
        // a phone of its own that takes 150 ms to answer OPTIONS: the latency shown must be that round trip
        await using var phone = new SipAgent("registered") { OptionsDelay = TimeSpan.FromMilliseconds(150) };
        var password = "reg-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.NoContent,
            (await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { sipPassword = password })).StatusCode);
        phone.SetPassword(account, password);
        Assert.Equal("Offline", (await CircuitView(admin, account)).GetProperty("registration").GetString());

        var answers = await phone.RegisterAsync(sip.Kamailio.Sip, account, expires: 300);
        Assert.True(answers.Select(a => a.Status).SequenceEqual([401, 200]),
            string.Join(",", answers.Select(a => a.Status)) + "\n" + sip.Kamailio.Log);

        var view = await CircuitViewUntil(admin, account, v => v.GetProperty("latencyMs").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(5));
        Assert.True(phone.OptionsReceived >= 1, "nenhum OPTIONS de keepalive chegou ao telefone\n" + sip.Kamailio.Log);
        var status = view.GetProperty("registration").GetString()!;
        var match = Regex.Match(status, @"^OK \((\d+) ms\)$");
        Assert.True(match.Success, status + "\n" + view);
        var latency = view.GetProperty("latencyMs").GetInt32();
        Assert.Equal(latency.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups[1].Value);
        Assert.InRange(latency, 150, 1500);
        Assert.Equal("127.0.0.1", view.GetProperty("ip").GetString());
        Assert.Equal(phone.Port, view.GetProperty("port").GetInt32());
        Assert.Equal("udp", view.GetProperty("transport").GetString());
        Assert.Equal(SipAgent.UserAgentName, view.GetProperty("userAgent").GetString());
        Assert.Equal(JsonValueKind.String, view.GetProperty("registeredAt").ValueKind);
        var expiresAt = view.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange((expiresAt - DateTimeOffset.UtcNow).TotalSeconds, 250, 310);
        // the circuit list reads the same status from the read model
        var list = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits?search={account}");
        Assert.Equal(status, list.GetProperty("items")[0].GetProperty("registration").GetString());

        var bye = await phone.RegisterAsync(sip.Kamailio.Sip, account, expires: 0);
        Assert.Equal(200, bye[^1].Status);
        view = await CircuitViewUntil(admin, account, v => v.GetProperty("registration").GetString() == "Offline", TimeSpan.FromSeconds(5));
        Assert.Equal("Offline", view.GetProperty("registration").GetString());
        list = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits?search={account}");
        Assert.Equal("Offline", list.GetProperty("items")[0].GetProperty("registration").GetString());
    }

    [KamailioFact]
    public async Task WhenAnUnknownAccountOrAWrongPasswordRegisters_ThenItIsRefused403TheSameWayAndNothingIsRegistered()
    {
        var (account, admin) = await Circuit(0m);
        await using var phone = new SipAgent("intruder");
        phone.SetPassword(account, "senha-errada-1");
        phone.SetPassword("99999999999998", "qualquer-senha-1");

        var wrong = await phone.RegisterAsync(sip.Kamailio.Sip, account, expires: 300);
        var unknown = await phone.RegisterAsync(sip.Kamailio.Sip, "99999999999998", expires: 300);
        // the same answers for both: nobody learns which accounts exist
        Assert.True(wrong.Select(a => a.Status).SequenceEqual([401, 401, 403]), string.Join(",", wrong.Select(a => a.Status)));
        Assert.True(unknown.Select(a => a.Status).SequenceEqual([401, 401, 403]), string.Join(",", unknown.Select(a => a.Status)));
        await Task.Delay(300);
        var view = await CircuitView(admin, account);
        Assert.Equal("Offline", view.GetProperty("registration").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("ip").ValueKind);
        Assert.Equal(0, phone.OptionsReceived);
    }

    [KamailioFact]
    public async Task WhenACircuitHasNoSipPassword_ThenItsInviteIsRefused403AndNothingIsReserved()
    {
        await sip.ConnectAsync(cluster);
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), await Seed.PlanAsync(cluster.Grains, 0.60m));
        await Seed.CreditAsync(admin, account, 10m);
        await using var phone = new SipAgent("no-password");
        phone.SetPassword(account, "qualquer-senha-1");

        var call = await phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Answers.SequenceEqual([407, 407, 403]), string.Join(",", call.Answers));
        Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest);
        Assert.Equal(0m, (await CircuitBalances.Balance(admin, account)).GetProperty("reserved").GetDecimal());
    }
}
