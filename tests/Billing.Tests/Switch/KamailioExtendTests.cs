using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Registration;
using Billing.Silo.Switch;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Npgsql;

namespace Billing.Tests.Switch;

/// <summary>
/// Its own database and silo with a 6 s chunk (Billing:Calls:ChunkSeconds; the shared test cluster keeps 300 s), a real
/// Kamailio with the shipped cfg asking to extend 3 s before a chunk ends, resending unanswered events after 2 s and
/// keeping at most one unanswered complete, and the silo's evapi connector, which a test can take away and bring back.
/// </summary>
public sealed class KamailioExtendFixture : IAsyncLifetime
{
    public const int Chunk = 6;
    public const int ExtendBefore = 3;
    public const int Retry = 2;
    /// <summary>Completes Kamailio keeps unanswered (one test call at a time here; the shipped default is 10000).</summary>
    public const int PendingMax = 1;

    private string _database = "";
    private EvapiConnector? _connector;

    public InProcessSilo Silo { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public KamailioProcess Kamailio { get; private set; } = null!;
    public SipAgent Carrier { get; } = new("carrier");
    public SipAgent Phone { get; } = new("circuit");
    public IGrainFactory Grains => Silo.Grains;

    public async Task InitializeAsync()
    {
        if (Switch.Kamailio.Binary is null) return; // the tests skip themselves
        _database = await TestDatabase.CreateAsync("billing_extend");
        Db = NpgsqlDataSource.Create(_database);
        Silo = await InProcessSilo.StartAsync(_database, "ext-" + Guid.NewGuid().ToString("N")[..6], "silo-extend", null,
            new Dictionary<string, string?> { ["Billing:Calls:ChunkSeconds"] = Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Kamailio = await KamailioProcess.StartAsync(KamailioConfigTests.ConfigPath, Carrier.Port, new Dictionary<string, string>
        {
            ["BILLING_EXTEND_BEFORE"] = ExtendBefore.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BILLING_EVAPI_RETRY"] = Retry.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BILLING_PENDING_MAX"] = PendingMax.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await ConnectAsync();
        await Grains.GetGrain<ICustomerGrain>("cus:1").Create(new CustomerData { Nome = "Cliente SIP", Documento = Docs.Cpf() }, "test");
    }

    /// <summary>The silo's connector connected to Kamailio (and counted by its evapi:connection-new route).</summary>
    public async Task ConnectAsync()
    {
        var closed = Kamailio.Count("billing: cluster connected");
        _connector = Silo.Services.CreateEvapiConnector([new EvapiEndpoint("127.0.0.1", Kamailio.EvapiPort)],
            new EvapiOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) });
        _connector.Start();
        await Until(() => Kamailio.Count("billing: cluster connected") > closed, "o conector não conectou ao evapi do Kamailio");
    }

    /// <summary>Takes the cluster away from Kamailio (the connector stops and closes its connection).</summary>
    public async Task DisconnectAsync()
    {
        var closed = Kamailio.Count("billing: cluster connection from");
        if (_connector is not null) await _connector.DisposeAsync();
        _connector = null;
        await Until(() => Kamailio.Count("billing: cluster connection from") > closed, "o Kamailio não viu a conexão fechar");
    }

    private async Task Until(Func<bool> done, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!done() && DateTime.UtcNow < until) await Task.Delay(20);
        Assert.True(done(), what + ":\n" + Kamailio.Log);
    }

    /// <summary>A prepaid circuit (DDD 11, R$ 0,60/min per second: R$ 0,01 a second) with <paramref name="credit"/>.</summary>
    public async Task<string> CircuitAsync(decimal credit)
    {
        var plan = await Seed.PlanAsync(Grains, 0.60m);
        var account = Seed.NewAccount();
        var circuit = Grains.GetGrain<ICircuitGrain>("ckt:" + account);
        var created = await circuit.Create(new CircuitData { Name = "SIP " + account, CustomerId = 1, PlanId = plan, AreaCode = "11" }, "test");
        Assert.True(created.IsOk, created.ToString());
        await circuit.Credit(new CreditRequest(credit, "carga", "k-" + account, "test"));
        // every INVITE is digest-authenticated with the circuit's Senha SIP
        var password = "senha-sip-" + account;
        Assert.True((await circuit.SetSipPassword(password, "test")).IsOk);
        Phone.SetPassword(account, password);
        return account;
    }

    public async Task DisposeAsync()
    {
        if (_connector is not null) await _connector.DisposeAsync();
        await Phone.DisposeAsync();
        await Carrier.DisposeAsync();
        if (Kamailio is not null) await Kamailio.DisposeAsync();
        if (Silo is not null) await Silo.DisposeAsync();
        if (Db is not null) await Db.DisposeAsync();
        if (_database.Length > 0) await TestDatabase.DropAsync(_database);
    }
}

/// <summary>
/// Long calls and retried completes through a real Kamailio (shipped cfg) and real SIP over loopback: extend before a
/// chunk ends, BYE at the granted limit when an extend is refused, and a complete kept and resent while the cluster
/// was away, billed once.
/// </summary>
public sealed class KamailioExtendTests(KamailioExtendFixture sip) : IClassFixture<KamailioExtendFixture>
{
    private const string Local = "1133334444";

    private async Task<List<(int Duration, int Billed, decimal Amount)>> LedgerRows(string callId)
    {
        await using var cmd = sip.Db.CreateCommand(
            "SELECT duration_seconds, billed_seconds, amount FROM ledger WHERE call_id = @c AND kind = 'call'");
        cmd.Parameters.AddWithValue("c", callId);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<(int, int, decimal)>();
        while (await r.ReadAsync()) rows.Add((r.GetInt32(0), r.GetInt32(1), r.GetDecimal(2)));
        return rows;
    }

    private async Task<(int Duration, int Billed, decimal Amount)> BilledOnce(string callId, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        List<(int, int, decimal)> rows;
        do
        {
            rows = await LedgerRows(callId);
            if (rows.Count > 0) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        Assert.True(rows.Count == 1, $"{rows.Count} linhas no ledger para {callId}\n{sip.Kamailio.Grep(callId)}\n{sip.Kamailio.Log}");
        return rows[0];
    }

    private async Task<BalanceView> Balance(string account) =>
        (await sip.Grains.GetGrain<ICircuitGrain>("ckt:" + account).GetBalance())!;

    [KamailioFact]
    public async Task WhenACallOutlastsItsFirstChunk_ThenKamailioExtendsItAndTheCallGoesOnUntilTheCallerHangsUp()
    {
        var account = await sip.CircuitAsync(10m);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(2), "ACK na operadora");
        // the first chunk is 6 s: without an extend the dialog module would hang up at 6 s
        await Task.Delay(TimeSpan.FromSeconds(8.5));
        Assert.DoesNotContain(sip.Phone.Received(call.CallId), m => m.IsRequest && m.Method == "BYE");
        Assert.DoesNotContain(sip.Carrier.Received(call.CallId), m => m.IsRequest && m.Method == "BYE");
        var bye = await call.HangUpAsync();
        Assert.Equal(200, bye.Status);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(2), "BYE na operadora");

        var row = await BilledOnce(call.CallId, TimeSpan.FromSeconds(5));
        Assert.True(sip.Kamailio.Logged($"billing: {call.CallId} extended to 12 s"), sip.Kamailio.Grep(call.CallId));
        // whole seconds of Kamailio's clock: 8.5 s of talk read 8 or 9 (10 at a second boundary under load)
        Assert.InRange(row.Duration, 8, 10);
        Assert.Equal(row.Duration, row.Billed);
        Assert.Equal(-0.01m * row.Billed, row.Amount);
        var balance = await Balance(account);
        Assert.Equal(10m - 0.01m * row.Billed, balance.Balance);
        Assert.Equal(0m, balance.Reserved);
    }

    [KamailioFact]
    public async Task WhenCreditRunsOutInTheSecondChunk_ThenKamailioSendsByeToBothSidesAtTheGrantedLimitAndBillsExactlyThoseSeconds()
    {
        // R$ 0,09 buys 9 s: authorize grants the 6 s chunk, the first extend the 3 s left, the second is refused
        var account = await sip.CircuitAsync(0.09m);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        var answered = DateTime.UtcNow;
        var byeToCaller = await sip.Phone.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(15), "BYE do Kamailio ao circuito");
        var elapsed = DateTime.UtcNow - answered;
        var byeToCarrier = await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(6), "BYE do Kamailio à operadora");
        Assert.NotNull(byeToCaller);
        Assert.NotNull(byeToCarrier);
        // the dialog timer ticks in whole seconds: cut between 8 and 10 s after the answer, not at the first chunk's 6 s
        Assert.InRange(elapsed.TotalSeconds, 7.8, 10.8);

        var row = await BilledOnce(call.CallId, TimeSpan.FromSeconds(5));
        var log = sip.Kamailio.Grep(call.CallId);
        Assert.True(sip.Kamailio.Logged($"billing: {call.CallId} extended to 9 s"), log);
        Assert.True(sip.Kamailio.Logged($"billing: extend of {call.CallId} refused (saldo_insuficiente)"), log);
        Assert.True(sip.Kamailio.Logged($"billing: {call.CallId} reached its granted 9 s"), log);
        Assert.Equal(9, row.Duration);
        Assert.Equal(9, row.Billed);
        Assert.Equal(-0.09m, row.Amount);
        var balance = await Balance(account);
        Assert.Equal(0m, balance.Balance);
        Assert.Equal(0m, balance.Reserved);
    }

    [KamailioFact]
    public async Task WhenTheClusterIsAwayAsTheCallEnds_ThenKamailioKeepsTheCompleteAndResendsItUntilItIsBilledOnce()
    {
        var account = await sip.CircuitAsync(10m);

        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(2), "ACK na operadora");
        try
        {
            await sip.DisconnectAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            var bye = await call.HangUpAsync();
            Assert.Equal(200, bye.Status);
            await Task.Delay(TimeSpan.FromSeconds(sip.Kamailio is null ? 0 : KamailioExtendFixture.Retry + 1));
            Assert.True(sip.Kamailio!.Logged("not sent now (no cluster connected), kept for resending"), sip.Kamailio.Grep(call.CallId));
            Assert.Empty(await LedgerRows(call.CallId));
        }
        finally
        {
            await sip.ConnectAsync();
        }

        var row = await BilledOnce(call.CallId, TimeSpan.FromSeconds(KamailioExtendFixture.Retry * 3 + 2));
        Assert.InRange(row.Duration, 1, 3);
        Assert.Equal(-0.01m * row.Billed, row.Amount);
        var balance = await Balance(account);
        Assert.Equal(10m - 0.01m * row.Billed, balance.Balance);
        Assert.Equal(0m, balance.Reserved);

        // the answer named the complete's id and Kamailio forgot it: no more resends, still one ledger row
        var id = sip.Kamailio.Grep(call.CallId).Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"complete (c-\d+-\d+) not sent now"))
            .First(m => m.Success).Groups[1].Value;
        var resent = sip.Kamailio.Count($"billing: complete {id} sent again");
        Assert.True(resent >= 1, sip.Kamailio.Log);
        await Task.Delay(TimeSpan.FromSeconds(KamailioExtendFixture.Retry * 2 + 1));
        Assert.Equal(resent, sip.Kamailio.Count($"billing: complete {id} sent again"));
        Assert.Single(await LedgerRows(call.CallId));
    }

    [KamailioFact]
    public async Task WhenMoreCompletesWaitThanKamailioKeeps_ThenTheExtraOneIsDroppedAndLoggedInFullAndTheKeptOneIsBilledOnce()
    {
        var account = await sip.CircuitAsync(10m);
        var first = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        var second = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(first.Status == 200 && second.Status == 200, first.Final.StartLine + " / " + second.Final.StartLine + "\n" + sip.Kamailio.Log);
        try
        {
            await sip.DisconnectAsync();
            Assert.Equal(200, (await first.HangUpAsync()).Status);
            Assert.Equal(200, (await second.HangUpAsync()).Status);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        finally
        {
            await sip.ConnectAsync();
        }

        // the kept one is resent and billed; the one past BILLING_PENDING_MAX is in the log, whole, for a CDR import
        var kept = await BilledOnce(first.CallId, TimeSpan.FromSeconds(KamailioExtendFixture.Retry * 3 + 2));
        Assert.Equal(-0.01m * kept.Billed, kept.Amount);
        var dropped = sip.Kamailio.Grep(second.CallId).Split('\n').FirstOrDefault(l => l.Contains("billing: complete DROPPED", StringComparison.Ordinal));
        Assert.True(dropped is not null, sip.Kamailio.Grep(second.CallId));
        var json = System.Text.Json.JsonDocument.Parse(dropped[dropped.IndexOf('{', dropped.IndexOf("wait for the cluster", StringComparison.Ordinal))..]).RootElement;
        Assert.Equal("complete", json.GetProperty("event").GetString());
        Assert.Equal(second.CallId, json.GetProperty("callId").GetString());
        Assert.Equal(account, json.GetProperty("account").GetString());
        Assert.Equal(Local, json.GetProperty("destination").GetString());
        Assert.True(json.GetProperty("durationSeconds").GetInt32() >= 0);
        await Task.Delay(TimeSpan.FromSeconds(KamailioExtendFixture.Retry + 1));
        Assert.Empty(await LedgerRows(second.CallId));
        // its reservation is still held (until ReservationGraceSeconds after its granted time, or the CDR import)
        Assert.True((await Balance(account)).Reserved > 0m);
    }
}
