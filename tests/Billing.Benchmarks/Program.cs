// Benchmarks (not part of the test run). Usage:
//   ./deploy/bench.sh [completes] [--circuits N] [--concurrency N] [--seconds N]
//   ./deploy/bench.sh switch [--circuits N] [--seconds N] [--warmup N] [--rate N] [--no-sip]   (evapi: the bench plays
//       Kamailio; then, unless --no-sip, the `sip` scenario)
//   ./deploy/bench.sh sip [--circuits N] [--seconds N] [--sip-rates 50,100,200,400] [--call-ms 1000]   (real SIP: SIPp
//       through the shipped Kamailio to the silo's evapi connector)
// or, against a PostgreSQL server of your own:
//   BILLING_BENCH_DB="Host=...;Username=...;Database=postgres" dotnet run -c Release --project tests/Billing.Benchmarks -- completes
// Prints one table (throughput, p50/p99/p99.9, ratio to the baseline) and writes bench-results/<scenario>-<utc>.json.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Benchmarks;
using HdrHistogram;
using Npgsql;

if (Environment.GetEnvironmentVariable("BENCH_MIN_THREADS") is { } minThreads)
    ThreadPool.SetMinThreads(int.Parse(minThreads, CultureInfo.InvariantCulture), int.Parse(minThreads, CultureInfo.InvariantCulture));
AppDomain.CurrentDomain.FirstChanceException += (_, e) => Diag.Exception(e.Exception);
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "completes";
int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
var circuits = Arg("circuits", 200);
var concurrency = Arg("concurrency", 64);
var seconds = Arg("seconds", 10);
BenchSettings.WarmupSeconds = Arg("warmup", 10);
if (scenario is not ("completes" or "circuit-list" or "scaling" or "switch" or "sip" or "low-balance"))
{
    Console.Error.WriteLine($"Cenário desconhecido: {scenario}. Disponíveis: completes, circuit-list, scaling, switch, sip, low-balance");
    return 2;
}
var server = Environment.GetEnvironmentVariable("BILLING_BENCH_DB")
             ?? throw new InvalidOperationException("Defina BILLING_BENCH_DB (ou use ./deploy/bench.sh, que sobe um PostgreSQL).");
// the CPU of this PostgreSQL only (its postmaster's process tree), not of other PostgreSQL servers on the machine
ProcessCpu.FindPostgres(server);
if (scenario == "scaling")
{
    var rows = new List<object>();
    Console.WriteLine($"{"silos",5} {"completes/s (HTTP)",20} {"p99 ms",8} {"CPU do processo",16}");
    for (var n = 1; n <= Arg("max-silos", 3); n++)
    {
        await using var scaleEnv = await BenchEnvironment.StartAsync(server, circuits, n);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var (g0, g1, g2, alloc) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
        var wall = Stopwatch.StartNew();
        var m = await Measure($"{n} silo(s)", concurrency, seconds, async (worker, i) =>
        {
            var account = scaleEnv.Accounts[(worker * 7919 + i) % circuits];
            var r = await scaleEnv.Http.PostAsJsonAsync($"/api/calls/scale-{n}-{worker}-{i}/complete",
                new { durationSeconds = 60, account, destination = "1133334444" });
            r.EnsureSuccessStatusCode();
        });
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds / Environment.ProcessorCount;
        Console.WriteLine($"{n,5} {m.Throughput,20:F0} {m.P99,8:F2} {cpu,15:P0}   circuitos por silo: {await scaleEnv.PlacementAsync()}");
        rows.Add(new { silos = n, m.Throughput, m.P50, m.P99, cpu });
    }
    Directory.CreateDirectory("bench-results");
    var scaleFile = Path.Combine("bench-results", $"scaling-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
    await File.WriteAllTextAsync(scaleFile, JsonSerializer.Serialize(new { circuits, concurrency, seconds, cores = Environment.ProcessorCount, rows }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"resultado em {scaleFile} (silos no mesmo processo e host: em 2 núcleos a CPU é o limite, não o número de silos)");
    return 0;
}
// real SIP through the shipped Kamailio (SIPp as circuits and carrier); `switch` runs it too after its evapi phases
IReadOnlyList<int> SipRates() => (args.SkipWhile(a => a != "--sip-rates").Skip(1).FirstOrDefault() ?? "50,100,200,400")
    .Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToList();
if (scenario == "sip")
    return await SipBench.RunAsync(server, circuits, seconds, SipRates(), Arg("call-ms", 1000));
if (scenario == "switch")
{
    var evapiStatus = await SwitchAsync();
    Console.WriteLine();
    var sipStatus = args.Contains("--no-sip") ? 0 : await SipBench.RunAsync(server, circuits, seconds, SipRates(), Arg("call-ms", 1000));
    return evapiStatus != 0 ? evapiStatus : sipStatus;
}
async Task<int> SwitchAsync()
{
    // the bench plays Kamailio: an evapi listener on loopback that the silo's connector (BILLING_SWITCH_EVAPI) connects
    // to; a second one that the same connector hosted in the API host connects to (where should it live? same run)
    await using var peer = new EvapiPeer();
    peer.Start();
    await using var apiPeer = new EvapiPeer();
    apiPeer.Start();
    await using var sw = await BenchEnvironment.StartAsync(server, circuits,
        siloConfig: new Dictionary<string, string?> { [Billing.Silo.Switch.EvapiEndpoint.ConfigKey] = peer.Endpoint },
        apiEvapi: apiPeer.Endpoint);
    await peer.ConnectedAsync(TimeSpan.FromSeconds(30));
    await apiPeer.ConnectedAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"cenário switch: {circuits} circuitos, conector evapi do silo ligado a {peer.Endpoint} (o da API a {apiPeer.Endpoint}), " +
        $"{seconds} s por medição, {Environment.ProcessorCount} núcleos; {sw.LedgerSettings}");
    var authorizeLatency = new Recorder();

    // one call = authorize (credit reserved, durable before the answer) + complete without the account (durable
    // ledger row), pipelined with every other call on the one connection; the whole call's latency counts from
    // start, the authorize's too (in the open loop both count from the scheduled time)
    async Task EvapiCallOn(EvapiPeer on, string account, string callId, long start)
    {
        var a = await on.AskAsync(id =>
            $"{{\"event\":\"authorize\",\"id\":{id},\"tindex\":{id % 65536},\"tlabel\":{id},\"callId\":\"{callId}\",\"account\":\"{account}\",\"destination\":\"1133334444\"}}");
        authorizeLatency.Record(Stopwatch.GetTimestamp() - start);
        if (!EvapiPeer.IsTrue(a, "allowed"))
            throw new InvalidOperationException("authorize recusado no benchmark: " + System.Text.Encoding.UTF8.GetString(a));
        var c = await on.AskAsync(id => $"{{\"event\":\"complete\",\"id\":{id},\"callId\":\"{callId}\",\"durationSeconds\":60}}");
        if (!EvapiPeer.IsTrue(c, "billed"))
            throw new InvalidOperationException("complete não cobrado no benchmark: " + System.Text.Encoding.UTF8.GetString(c));
    }
    Task EvapiCall(string account, string callId, long start) => EvapiCallOn(peer, account, callId, start);

    var rows = new List<(Result Baseline, Result Evapi, Probe Authorize, int Concurrency)>();
    foreach (var level in new[] { 64, 256 })
    {
        var naive = await Measure($"SQL ingênuo (BEGIN; UPDATE saldo; INSERT cdr; COMMIT por chamada), concorrência {level}", level, seconds,
            (worker, n) => sw.NaiveCompleteAsync(sw.Accounts[(worker * 7919 + n) % circuits], $"naive-{level}-{worker}-{n}"));
        var evapi = await Measure($"evapi: authorize + complete por chamada, concorrência {level}", level, seconds,
            (worker, n) => EvapiCall(sw.Accounts[(worker * 7919 + n) % circuits], $"ev-{level}-{worker}-{n}-{Guid.NewGuid():N}", Stopwatch.GetTimestamp()),
            measuring: authorizeLatency.Reset);
        rows.Add((naive, evapi, authorizeLatency.Snapshot(), level));
    }

    // the same evapi flow with the connector in the API host (a cluster client): every grain call crosses the
    // gateway, the silo's connector calls its grains in-process
    var apiRows = new List<(Result Evapi, Probe Authorize, int Concurrency)>();
    foreach (var level in new[] { 64, 256 })
    {
        var viaApi = await Measure($"evapi com o conector no host da API, concorrência {level}", level, seconds,
            (worker, n) => EvapiCallOn(apiPeer, sw.Accounts[(worker * 7919 + n) % circuits], $"eva-{level}-{worker}-{n}-{Guid.NewGuid():N}", Stopwatch.GetTimestamp()),
            measuring: authorizeLatency.Reset);
        apiRows.Add((viaApi, authorizeLatency.Snapshot(), level));
    }

    // the same flow over the REST API (two HTTP requests per call), at 64, for comparison on the same run
    var rest = await Measure("REST: authorize + complete por chamada via HTTP, concorrência 64", 64, seconds, async (worker, n) =>
    {
        var account = sw.Accounts[(worker * 7919 + n) % circuits];
        var callId = $"rest-{worker}-{n}-{Guid.NewGuid():N}";
        using (var auth = new StringContent($"{{\"callId\":\"{callId}\",\"account\":\"{account}\",\"destination\":\"1133334444\"}}",
                   System.Text.Encoding.UTF8, "application/json"))
        {
            var a = await sw.Http.PostAsync("/api/calls/authorize", auth);
            a.EnsureSuccessStatusCode();
            if (!(await a.Content.ReadAsStringAsync()).Contains("\"allowed\":true", StringComparison.Ordinal))
                throw new InvalidOperationException("authorize recusado no benchmark");
        }
        using var body = new StringContent("{\"durationSeconds\":60}", System.Text.Encoding.UTF8, "application/json");
        (await sw.Http.PostAsync($"/api/calls/{callId}/complete", body)).EnsureSuccessStatusCode();
    });

    // open loop at half the evapi maximum just measured (or --rate): what an operator's switch does
    var maxEvapi = rows.Max(r => r.Evapi.Throughput);
    var switchRate = Arg("rate", (int)(maxEvapi / 2));
    authorizeLatency.Reset();
    var open = await MeasureRate($"evapi: authorize + complete a {switchRate} chamadas/s (carga aberta, metade do máximo)", switchRate, seconds,
        (n, scheduled) => EvapiCall(sw.Accounts[(int)(n % circuits)], $"open-{n}-{Guid.NewGuid():N}", scheduled), null);
    var openAuthorize = authorizeLatency.Snapshot();

    static string Us(Result r) => $"{r.Cpu * Environment.ProcessorCount / r.Throughput * 1e6:F0} + {r.PgCpu * Environment.ProcessorCount / r.Throughput * 1e6:F0}";
    Console.WriteLine();
    Console.WriteLine($"{"medição",-62} {"chamadas/s",10} {"p50 ms",7} {"p99 ms",7} {"p99.9",7} {"authorize p50/p99/p99.9 ms",27} {"razão",6} {"CPU µs/chamada",15}");
    void Row(Result m, Probe? a, double baseline) =>
        Console.WriteLine($"{m.Name[..Math.Min(m.Name.Length, 62)],-62} {m.Throughput,10:F0} {m.P50,7:F2} {m.P99,7:F2} {m.P999,7:F2} " +
            $"{(a is null ? "-" : $"{a.P50:F2}/{a.P99:F2}/{a.P999:F2}"),27} {m.Throughput / baseline,6:F2} {Us(m),15}");
    foreach (var r in rows)
    {
        Row(r.Baseline, null, r.Baseline.Throughput);
        Row(r.Evapi, r.Authorize, r.Baseline.Throughput);
        var a = apiRows.Single(x => x.Concurrency == r.Concurrency);
        Row(a.Evapi, a.Authorize, r.Baseline.Throughput);
    }
    Row(rest, null, rows[0].Baseline.Throughput);
    Row(open, openAuthorize, rows[0].Baseline.Throughput);
    Console.WriteLine("(CPU µs por chamada: este processo — o Kamailio de mentira, o silo e a API — + PostgreSQL; razão: a do SQL ingênuo na mesma concorrência; REST e carga aberta contra o ingênuo a 64)");
    Console.WriteLine();
    Console.WriteLine(string.Join("; ", rows.Select(r => $"evapi a {r.Concurrency}: {r.Evapi.Throughput / r.Baseline.Throughput:F1}× o SQL ingênuo (meta ≥ {(r.Concurrency >= 256 ? 10 : 5)}×)")) +
        $"; REST a 64: {rest.Throughput / rows[0].Baseline.Throughput:F1}×; authorize p99 a {switchRate}/s: {openAuthorize.P99:F2} ms (meta < 5 ms)");
    Console.WriteLine("conector no silo vs no host da API: " + string.Join("; ", rows.Select(r =>
    {
        var a = apiRows.Single(x => x.Concurrency == r.Concurrency);
        return $"a {r.Concurrency}: {r.Evapi.Throughput:F0} vs {a.Evapi.Throughput:F0} chamadas/s ({r.Evapi.Throughput / a.Evapi.Throughput:F2}×), " +
            $"authorize p99 {r.Authorize.P99:F2} vs {a.Authorize.P99:F2} ms, CPU µs/chamada {Us(r.Evapi)} vs {Us(a.Evapi)}";
    })));
    // the machine may be shared: its load says how much of the two cores this run really had
    if (File.Exists("/proc/loadavg"))
        Console.WriteLine($"carga da máquina no fim (/proc/loadavg: 1, 5, 15 min): {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
    var switchLedger = await sw.CheckLedgerAsync();
    Console.WriteLine(switchLedger);
    Directory.CreateDirectory("bench-results");
    var switchFile = Path.Combine("bench-results", $"switch-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
    await File.WriteAllTextAsync(switchFile, JsonSerializer.Serialize(new
    {
        scenario, circuits, seconds, cores = Environment.ProcessorCount,
        levels = rows.Select(r => new { r.Concurrency, baseline = r.Baseline, evapi = r.Evapi, authorize = r.Authorize, ratio = r.Evapi.Throughput / r.Baseline.Throughput }),
        apiConnector = apiRows.Select(a => new { a.Concurrency, evapi = a.Evapi, authorize = a.Authorize }),
        rest, open, openAuthorize, rate = switchRate, ledgerCheck = switchLedger,
    }, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"resultado em {switchFile}");
    return 0;
}
if (scenario == "low-balance")
{
    // the hot-path cost of low-balance alerts (issue 19): authorize + complete by grain calls on circuits without
    // thresholds and on circuits with three (checked after every hold and rated call, never crossed: R$ 1 000 000 each),
    // alternated in the same run (off, on, off, on) so the machine's drift shows in the two rounds
    await using var lbEnv = await BenchEnvironment.StartAsync(server, circuits);
    var half = circuits / 2;
    var on = lbEnv.Accounts.Take(half).ToList();
    var off = lbEnv.Accounts.Skip(half).ToList();
    foreach (var a in on)
    {
        var g = lbEnv.Circuit(a);
        var v = await g.Get();
        var up = await g.Update(v!.Data with { LowBalanceThresholds = [100m, 10m, 0m] }, "bench");
        if (!up.IsOk) throw new InvalidOperationException(up.Message);
    }
    Func<int, int, Task> Calls(IReadOnlyList<string> set, string tag) => async (worker, n) =>
    {
        var account = set[(worker * 7919 + n) % set.Count];
        var grain = lbEnv.Circuit(account);
        var callId = $"lb-{tag}-{worker}-{n}-{Guid.NewGuid():N}";
        var a = await grain.Authorize(new Billing.GrainInterfaces.Circuits.AuthorizeRequest(callId, "1133334444",
            Billing.GrainInterfaces.Circuits.CallDirection.Outbound, null));
        if (!a.Allowed) throw new InvalidOperationException("authorize recusado no benchmark: " + a.Reason);
        var c = await grain.Complete(new Billing.GrainInterfaces.Circuits.CompleteRequest { CallId = callId, DurationSeconds = 60 });
        if (!c.Ok) throw new InvalidOperationException(c.Reason);
    };
    Console.WriteLine($"cenário low-balance: {half} circuitos sem limites, {half} com 3 limites, concorrência {concurrency}, {seconds} s por medição, " +
        $"{Environment.ProcessorCount} núcleos; {lbEnv.LedgerSettings}");
    var lbRows = new List<Result>();
    for (var round = 1; round <= 2; round++)
    {
        lbRows.Add(await Measure($"grão: authorize + complete, sem limites (rodada {round})", concurrency, seconds, Calls(off, "off" + round)));
        lbRows.Add(await Measure($"grão: authorize + complete, 3 limites (rodada {round})", concurrency, seconds, Calls(on, "on" + round)));
    }
    Console.WriteLine($"{"medição",-58} {"chamadas/s",10} {"p50 ms",7} {"p99 ms",7} {"p99.9",7}");
    foreach (var m in lbRows)
        Console.WriteLine($"{m.Name,-58} {m.Throughput,10:F0} {m.P50,7:F2} {m.P99,7:F2} {m.P999,7:F2}");
    var alerts = await lbEnv.ScalarAsync("SELECT count(*) FROM circuit_balance_alerts WHERE fired");
    Console.WriteLine($"limites disparados: {alerts} (esperado 0: nenhum saldo chegou perto)");
    Directory.CreateDirectory("bench-results");
    var lbFile = Path.Combine("bench-results", $"low-balance-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
    await File.WriteAllTextAsync(lbFile, JsonSerializer.Serialize(new { circuits, concurrency, seconds, cores = Environment.ProcessorCount, rows = lbRows },
        new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"resultado em {lbFile}");
    return 0;
}
if (scenario == "circuit-list")
{
    await using var listEnv = await BenchEnvironment.StartAsync(server, 10);
    return await CircuitListBench.RunAsync(listEnv, Arg("rows", 100_000));
}

await using var env = await BenchEnvironment.StartAsync(server, circuits);
Console.WriteLine($"cenário {scenario}: {circuits} circuitos, concorrência {concurrency}, {seconds} s por medição, {Environment.ProcessorCount} núcleos; {env.LedgerSettings}");

var baseline = await Measure("SQL ingênuo (BEGIN; UPDATE saldo; INSERT cdr; COMMIT por chamada)", concurrency, seconds,
    (worker, n) => env.NaiveCompleteAsync(env.Accounts[(worker * 7919 + n) % circuits], $"naive-{worker}-{n}"));

// the softswitch's live-balance question, asked one at a time (every 2 ms) while each phase's load runs. The
// switch is another machine: the probe has its own connection and a dedicated thread with blocking calls, so
// what it measures is the server's answer, not this process's load generator queueing its continuations.
var probeIndex = 0;
using var probeHttp = env.NewSwitchClient();
void BalanceProbe()
{
    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/circuits/{env.Accounts[probeIndex++ % circuits]}/balance");
    using var r = probeHttp.Send(request);
    r.EnsureSuccessStatusCode();
    using var drain = r.Content.ReadAsStream();
    drain.CopyTo(Stream.Null);
}

// a complete of a call the switch did not authorize, naming its account: one durable ledger row per request;
// a body with Content-Length, as a switch sends it (PostAsJsonAsync would stream it chunked)
async Task CompleteWithAccount(string account, string callId)
{
    using var body = new StringContent(
        $"{{\"durationSeconds\":60,\"account\":\"{account}\",\"destination\":\"1133334444\"}}",
        System.Text.Encoding.UTF8, "application/json");
    (await env.Http.PostAsync($"/api/calls/{callId}/complete", body)).EnsureSuccessStatusCode();
}

var cluster = await Measure("cluster via HTTP: complete durável (account no corpo), group commit", concurrency, seconds,
    async (worker, n) =>
    {
        await CompleteWithAccount(env.Accounts[(worker * 7919 + n) % circuits], $"bench-{worker}-{n}-{Guid.NewGuid():N}");
    }, BalanceProbe);

var direct = await Measure("cluster via chamadas de grão (sem HTTP; mesma durabilidade)", concurrency, seconds,
    async (worker, n) =>
    {
        var account = env.Accounts[(worker * 7919 + n) % circuits];
        var r = await env.Circuit(account).Complete(new Billing.GrainInterfaces.Circuits.CompleteRequest
        {
            CallId = $"direct-{worker}-{n}-{Guid.NewGuid():N}", DurationSeconds = 60, Destination = "1133334444",
        });
        if (!r.Ok) throw new InvalidOperationException(r.Reason);
    }, BalanceProbe);

// what a switch does for every call: authorize (credit reserved), then complete without the account (the
// cluster finds the call's circuit); one operation = one call = two HTTP requests
var flow = await Measure("fluxo do switch via HTTP: authorize + complete (sem account) por chamada", concurrency, seconds,
    async (worker, n) =>
    {
        var account = env.Accounts[(worker * 7919 + n) % circuits];
        var callId = $"flow-{worker}-{n}-{Guid.NewGuid():N}";
        using (var auth = new StringContent(
                   $"{{\"callId\":\"{callId}\",\"account\":\"{account}\",\"destination\":\"1133334444\"}}",
                   System.Text.Encoding.UTF8, "application/json"))
        {
            var a = await env.Http.PostAsync("/api/calls/authorize", auth);
            a.EnsureSuccessStatusCode();
            if (!(await a.Content.ReadAsStringAsync()).Contains("\"allowed\":true", StringComparison.Ordinal))
                throw new InvalidOperationException("authorize recusado no benchmark");
        }
        using var body = new StringContent("{\"durationSeconds\":60}", System.Text.Encoding.UTF8, "application/json");
        (await env.Http.PostAsync($"/api/calls/{callId}/complete", body)).EnsureSuccessStatusCode();
    }, BalanceProbe);

// where the HTTP path's time goes: the same hop (API → Orleans client → circuit grain) without any write
var readOnly = await Measure("GET balance via HTTP em velocidade máxima (sem escrita; teto do caminho HTTP)", concurrency, seconds,
    async (worker, n) => (await env.Http.GetAsync($"/api/circuits/{env.Accounts[(worker * 7919 + n) % circuits]}/balance")).EnsureSuccessStatusCode());
var liveOnly = await Measure("GET /health/live via HTTP (sem Orleans; teto do Kestrel aqui)", concurrency, seconds,
    async (worker, n) => (await env.Http.GetAsync("/health/live")).EnsureSuccessStatusCode());

var idleBalance = await Measure("GET balance via HTTP, um por vez, sem outra carga", 1, Math.Min(seconds, 5),
    async (_, n) => (await env.Http.GetAsync($"/api/circuits/{env.Accounts[n % circuits]}/balance")).EnsureSuccessStatusCode());

// an operator's real load is a rate, not a closed loop at saturation: completes at half the HTTP maximum
// just measured (or --rate), with the balance asked meanwhile
var rate = Arg("rate", (int)(cluster.Throughput / 2));
var steady = await MeasureRate($"complete durável via HTTP a {rate}/s (carga aberta, metade do máximo)", rate, seconds,
    (n, _) => CompleteWithAccount(env.Accounts[(int)(n % circuits)], $"rate-{n}-{Guid.NewGuid():N}"), BalanceProbe);

var ratio = cluster.Throughput / baseline.Throughput;
Console.WriteLine();
Console.WriteLine($"{"medição",-70} {"ops/s",10} {"p50 ms",8} {"p99 ms",8} {"p99.9 ms",9} {"razão",7}");
foreach (var m in new[] { baseline, cluster, direct, flow, steady, readOnly, liveOnly, idleBalance })
    Console.WriteLine($"{m.Name,-70} {m.Throughput,10:F0} {m.P50,8:F2} {m.P99,8:F2} {m.P999,9:F2} {m.Throughput / baseline.Throughput,7:F2}");
foreach (var m in new[] { cluster, direct, flow, steady })
    Console.WriteLine($"{"  GET …/balance (um por vez) durante: " + m.Name[..Math.Min(m.Name.Length, 32)],-70} {m.Balance!.Count / (double)seconds,10:F0} {m.Balance.P50,8:F2} {m.Balance.P99,8:F2} {m.Balance.P999,9:F2} {"-",7}");
var bp99 = cluster.Balance!.P99;
Console.WriteLine();
Console.WriteLine($"completes duráveis via HTTP: {ratio:F1}× o SQL ingênuo; via grão: {direct.Throughput / baseline.Throughput:F1}×; " +
    $"fluxo authorize+complete: {flow.Throughput / baseline.Throughput:F1}× (meta ≥ 10×); balance p99 durante completes HTTP {bp99:F2} ms " +
    $"(a {rate}/s: {steady.Balance!.P99:F2} ms) (meta < 5 ms)");

var ledgerCheck = await env.CheckLedgerAsync();
Console.WriteLine(ledgerCheck);

Directory.CreateDirectory("bench-results");
var file = Path.Combine("bench-results", $"{scenario}-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
{
    scenario, circuits, concurrency, seconds, cores = Environment.ProcessorCount,
    baseline, cluster, direct, flow, steady, readOnly, liveOnly, idleBalance, ratio, directRatio = direct.Throughput / baseline.Throughput,
    ledgerCheck,
}, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"resultado em {file}");
return 0;

static double Ms(HistogramBase h, double percentile) => h.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;

static Thread StartProbe(Action? probe, long until, LongHistogram hist)
{
    var thread = new Thread(() =>
    {
        while (probe is not null && Stopwatch.GetTimestamp() < until)
        {
            var t = Stopwatch.GetTimestamp();
            probe();
            hist.RecordValue(Stopwatch.GetTimestamp() - t);
            Thread.Sleep(2);
        }
    }) { IsBackground = true, Name = "balance-probe" };
    thread.Start();
    return thread;
}

// open loop: operation n starts at start + n/rate whatever the answers, and its latency counts from then
// (a late start is the system's fault, not hidden by a closed loop waiting for it)
static async Task<Result> MeasureRate(string name, int rate, int seconds, Func<long, long, Task> op, Action? probe)
{
    var hist = new LongHistogram(TimeStamp.Seconds(60), 3);
    var probeHist = new LongHistogram(TimeStamp.Seconds(30), 3);
    var running = new List<Task>();
    var failures = 0L;
    var started = Stopwatch.GetTimestamp();
    var until = started + seconds * Stopwatch.Frequency;
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var pgBefore = ProcessCpu.Postgres();
    var probing = StartProbe(probe, until, probeHist);
    long n = 0;
    while (Stopwatch.GetTimestamp() < until)
    {
        for (var due = started + n * Stopwatch.Frequency / rate; due <= Stopwatch.GetTimestamp(); due = started + n * Stopwatch.Frequency / rate)
        {
            var index = n++;
            var scheduled = due;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await op(index, scheduled);
                    lock (hist) hist.RecordValue(Stopwatch.GetTimestamp() - scheduled);
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }
        await Task.Delay(1);
    }
    await Task.WhenAll(running);
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    probing.Join();
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / elapsed / Environment.ProcessorCount;
    var pgCpu = (ProcessCpu.Postgres() - pgBefore) / elapsed / Environment.ProcessorCount;
    var result = new Result(name, hist.TotalCount / (double)seconds, Ms(hist, 50), Ms(hist, 99), Ms(hist, 99.9), hist.TotalCount, cpu,
        probe is null ? null : new Probe(probeHist.TotalCount, Ms(probeHist, 50), Ms(probeHist, 99), Ms(probeHist, 99.9)), pgCpu);
    Console.WriteLine($"  {name}: {result.Throughput:F0} ops/s ({failures} falhas), CPU deste processo {cpu:P0}, do PostgreSQL {pgCpu:P0}" +
        (result.Balance is { } b ? $"; balance p50/p99 {b.P50:F2}/{b.P99:F2} ms" : ""));
    return result;
}

static async Task<Result> Measure(string name, int concurrency, int seconds, Func<int, int, Task> op, Action? probe = null, Action? measuring = null)
{
    // warm-up: the same load for a few seconds, so the JIT has tiered the hot path up (a server runs for days;
    // measuring the first seconds measures the JIT: thousands of methods recompiled while the clock runs)
    // at least --warmup seconds, then until the JIT compiles fewer than 10 methods in 2 s (at most 60 s)
    var warming = true;
    var warmStarted = Stopwatch.GetTimestamp();
    var warmers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
    {
        for (var n = 1_000_000_000; Volatile.Read(ref warming); n++) await op(w, n);
    })).ToArray();
    await Task.Delay(TimeSpan.FromSeconds(BenchSettings.WarmupSeconds));
    for (var lastJit = System.Runtime.JitInfo.GetCompiledMethodCount(); Stopwatch.GetElapsedTime(warmStarted).TotalSeconds < 60;)
    {
        await Task.Delay(2000);
        var jit = System.Runtime.JitInfo.GetCompiledMethodCount();
        if (jit - lastJit < 10) break;
        lastJit = jit;
    }
    Volatile.Write(ref warming, false);
    await Task.WhenAll(warmers);
    Console.WriteLine($"  {name}: aquecimento {Stopwatch.GetElapsedTime(warmStarted).TotalSeconds:F0} s");
    measuring?.Invoke();
    var histograms = Enumerable.Range(0, concurrency).Select(_ => new LongHistogram(TimeStamp.Seconds(30), 3)).ToArray();
    var counts = new long[concurrency];
    var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
    var started = Stopwatch.GetTimestamp();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var pgBefore = ProcessCpu.Postgres();
    var (batchesBefore, rowsBefore, batchMsBefore) = BenchSettings.LedgerBatches();
    var (holdBatchesBefore, holdsBefore, holdMsBefore) = BenchSettings.HoldBatches();
    var (g0, g1, g2, alloc) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());
    var (jitCount, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
    var probeHist = new LongHistogram(TimeStamp.Seconds(30), 3);
    var probing = StartProbe(probe, until, probeHist);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
    {
        var n = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            var t = Stopwatch.GetTimestamp();
            await op(w, n++);
            histograms[w].RecordValue(Stopwatch.GetTimestamp() - t);
            counts[w]++;
        }
    })));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    probing.Join();
    var all = new LongHistogram(TimeStamp.Seconds(30), 3);
    foreach (var h in histograms) all.Add(h);
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / elapsed / Environment.ProcessorCount;
    var pgCpu = (ProcessCpu.Postgres() - pgBefore) / elapsed / Environment.ProcessorCount;
    var (batches, rows, batchMs) = BenchSettings.LedgerBatches();
    if (batches > batchesBefore)
        Console.WriteLine($"    razão: {batches - batchesBefore} lotes, {(double)(rows - rowsBefore) / (batches - batchesBefore):F1} linhas e " +
            $"{(batchMs - batchMsBefore) / (batches - batchesBefore):F2} ms por lote");
    var (holdBatches, holds, holdMs) = BenchSettings.HoldBatches();
    if (holdBatches > holdBatchesBefore)
        Console.WriteLine($"    reservas: {holdBatches - holdBatchesBefore} lotes, {(double)(holds - holdsBefore) / (holdBatches - holdBatchesBefore):F1} gravações e " +
            $"{(holdMs - holdMsBefore) / (holdBatches - holdBatchesBefore):F2} ms por lote");
    Console.WriteLine($"    exceções (first-chance) até aqui: {Diag.Exceptions}; GCs gen0/1/2: {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2}; " +
        $"alocado por operação: {(GC.GetTotalAllocatedBytes() - alloc) / Math.Max(1, counts.Sum()) / 1024.0:F1} KiB; " +
        $"métodos compilados pelo JIT: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitCount} ({(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms)");
    var jitMs = (System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds;
    if (jitMs > elapsed * 1000 * Environment.ProcessorCount * 0.02)
        Console.WriteLine($"    AVISO: o JIT usou {jitMs:F0} ms de CPU durante esta medição (mais de 2 %): ela mede o JIT também; " +
            "repita com --warmup maior");
    var result = new Result(name, counts.Sum() / elapsed, Ms(all, 50), Ms(all, 99), Ms(all, 99.9), counts.Sum(), cpu,
        probe is null ? null : new Probe(probeHist.TotalCount, Ms(probeHist, 50), Ms(probeHist, 99), Ms(probeHist, 99.9)), pgCpu);
    Console.WriteLine($"  {name}: {result.Throughput:F0} ops/s, CPU deste processo {cpu:P0}, do PostgreSQL {pgCpu:P0} " +
        $"(µs de CPU por operação: {cpu * Environment.ProcessorCount / result.Throughput * 1e6:F0} aqui + {pgCpu * Environment.ProcessorCount / result.Throughput * 1e6:F0} no PostgreSQL)");
    return result;
}

internal static class BenchSettings
{
    /// <summary>Seconds of the same load run before each measurement (<c>--warmup</c>).</summary>
    public static int WarmupSeconds { get; set; } = 10;

    private static long _batches, _rows, _holdBatches, _holds;
    private static double _batchMs, _holdMs;
    private static readonly System.Diagnostics.Metrics.MeterListener Listener = StartListener();

    private static System.Diagnostics.Metrics.MeterListener StartListener()
    {
        var l = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == "Billing.Ledger") l.EnableMeasurementEvents(i);
            },
        };
        l.SetMeasurementEventCallback<int>((i, v, _, _) =>
        {
            if (i.Name == "billing.ledger.batch.size") { Interlocked.Increment(ref _batches); Interlocked.Add(ref _rows, v); }
            if (i.Name == "billing.ledger.holds.batch.size") { Interlocked.Increment(ref _holdBatches); Interlocked.Add(ref _holds, v); }
        });
        l.SetMeasurementEventCallback<double>((i, v, _, _) =>
        {
            if (i.Name == "billing.ledger.batch.duration") lock (Listener!) _batchMs += v;
            if (i.Name == "billing.ledger.holds.batch.duration") lock (Listener!) _holdMs += v;
        });
        l.Start();
        return l;
    }

    /// <summary>Ledger group commits so far (count, rows, total ms), from the silo's Billing.Ledger meter.</summary>
    public static (long Batches, long Rows, double Ms) LedgerBatches()
    {
        lock (Listener) return (Interlocked.Read(ref _batches), Interlocked.Read(ref _rows), _batchMs);
    }

    /// <summary>Credit-hold group commits so far (count, holds written or released, total ms).</summary>
    public static (long Batches, long Holds, double Ms) HoldBatches()
    {
        lock (Listener) return (Interlocked.Read(ref _holdBatches), Interlocked.Read(ref _holds), _holdMs);
    }
}

internal sealed record Result(string Name, double Throughput, double P50, double P99, double P999, long Operations, double Cpu, Probe? Balance = null,
    double PgCpu = 0);

/// <summary>A latency histogram shared by the workers of a phase (the authorize part of a switch call).</summary>
internal sealed class Recorder
{
    private LongHistogram _hist = new(TimeStamp.Seconds(60), 3);

    public void Record(long ticks)
    {
        lock (this) _hist.RecordValue(ticks);
    }

    /// <summary>Forgets what the warm-up recorded.</summary>
    public void Reset()
    {
        lock (this) _hist = new LongHistogram(TimeStamp.Seconds(60), 3);
    }

    public Probe Snapshot()
    {
        lock (this)
            return new Probe(_hist.TotalCount, P(50), P(99), P(99.9));
    }

    private double P(double percentile) => _hist.GetValueAtPercentile(percentile) * 1000.0 / Stopwatch.Frequency;
}

/// <summary>GET …/balance latency measured while a phase's load ran.</summary>
internal sealed record Probe(long Count, double P50, double P99, double P999);

internal static class Diag
{
    private static long _count;
    public static long Exceptions => Interlocked.Read(ref _count);
    public static string? Last { get; private set; }

    public static void Exception(Exception e)
    {
        Interlocked.Increment(ref _count);
        Last = e.GetType().Name + ": " + e.Message;
    }
}
