using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Benchmarks;

/// <summary>
/// <c>./deploy/bench.sh sip</c>: real SIP traffic through the shipped Kamailio. SIPp plays the circuits (UAC,
/// Sipp/uac.xml: INVITE, digest answer when challenged, ACK, a call of <c>--call-ms</c>, BYE) and the upstream carrier
/// (UAS, Sipp/carrier.xml); Kamailio asks the silo's evapi connector (authorize at INVITE, complete at BYE). One step
/// per rate: calls/s offered, set up and torn down, failed, SIPp's INVITE→200 time, and the CPU each process used
/// per call. At the end every call SIPp completed must be in the ledger exactly once.
/// </summary>
internal static partial class SipBench
{
    public static async Task<int> RunAsync(string server, int circuits, int seconds, IReadOnlyList<int> rates, int callMs)
    {
        foreach (var tool in new[] { "kamailio", "sipp" })
            if (Which(tool) is null)
            {
                Console.Error.WriteLine($"{tool} não encontrado (./deploy/bench.sh instala os pacotes Debian kamailio e sip-tester)");
                return 2;
            }
        var work = Directory.CreateTempSubdirectory("billing-bench-sip-").FullName;
        var carrierPort = FreeUdpPort();
        var sipPort = FreeUdpPort();
        var evapiPort = BenchEnvironment.FreePort();
        var evapi = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{evapiPort}");
        await using var kamailio = Proc.Start("kamailio",
            ["-DD", "-E", "-Y", work, "-f", Path.GetFullPath("deploy/kamailio/kamailio.cfg"), "-m", "256", "-M", "32"],
            Path.Combine(work, "kamailio.log"), new Dictionary<string, string>
            {
                ["BILLING_SIP_IP"] = "127.0.0.1",
                ["BILLING_SIP_PORT"] = sipPort.ToString(CultureInfo.InvariantCulture),
                ["BILLING_SIP_CARRIER"] = "127.0.0.1:" + carrierPort.ToString(CultureInfo.InvariantCulture),
                ["BILLING_EVAPI_BIND"] = evapi,
            });
        await WaitTcpAsync(evapiPort, TimeSpan.FromSeconds(20), kamailio);
        _kamailio = [kamailio.Pid];
        ProcessCpu.FindPostgres(server);
        await using var env = await BenchEnvironment.StartAsync(server, circuits,
            siloConfig: new Dictionary<string, string?> { [Billing.Silo.Switch.EvapiEndpoint.ConfigKey] = evapi });
        // the circuits are SIP accounts: each gets a SIP password (Kamailio challenges INVITEs and checks them)
        var passwords = await env.SetSipPasswordsAsync();
        var accountsFile = Path.Combine(work, "accounts.csv");
        await File.WriteAllLinesAsync(accountsFile, new[] { "SEQUENTIAL" }.Concat(env.Accounts.Select(a => $"{a};[authentication username={a} password={passwords[a]}]")));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the connector connects once the silo host has started
        var scenarios = Path.Combine(AppContext.BaseDirectory, "Sipp");
        await using var carrier = Proc.Start("sipp",
            ["-sf", Path.Combine(scenarios, "carrier.xml"), "-i", "127.0.0.1", "-p", carrierPort.ToString(CultureInfo.InvariantCulture),
             "-nostdin", "-trace_err", "-error_file", Path.Combine(work, "carrier-errors.log")],
            Path.Combine(work, "carrier.log"));
        _sipp = [carrier.Pid]; // the carrier's SIPp (the circuits' SIPp exits before each step's CPU is read)

        Console.WriteLine($"cenário sip: Kamailio (deploy/kamailio/kamailio.cfg) em 127.0.0.1:{sipPort}, evapi {evapi} ligado ao silo, " +
            $"operadora (SIPp UAS) em 127.0.0.1:{carrierPort}; {circuits} circuitos, chamadas de {callMs} ms, {seconds} s por passo, " +
            $"{Environment.ProcessorCount} núcleos");
        // what the processes burn with no call at all (timers, keepalives, the dashboard): subtracted per step below
        var idle0 = Cpu();
        var idleWall = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleRate = (Cpu() - idle0) * (1 / idleWall.Elapsed.TotalSeconds);
        Console.WriteLine($"ocioso (sem chamadas, CPU por segundo): kamailio {idleRate.Kamailio * 1000:F0} ms, sipp {idleRate.Sipp * 1000:F0} ms, " +
            $"silo/API {idleRate.Bench * 1000:F0} ms, PostgreSQL {idleRate.Postgres * 1000:F0} ms");
        Console.WriteLine($"{"oferecidas/s",12} {"completadas/s",13} {"falhas",7} {"INVITE→200 p50/p99 ms",22} " +
            $"{"CPU µs por chamada: kamailio + sipp operadora + silo/API + PostgreSQL (menos o ocioso)",78}");
        var rows = new List<object>();
        var sent = new List<(int Pid, int Calls)>();
        var completed = 0L;
        var step = 0;
        foreach (var rate in rates)
        {
            step++;
            var total = rate * seconds;
            var cpu0 = Cpu();
            var wall = Stopwatch.StartNew();
            var screen = Path.Combine(work, $"uac-{step}-screen.log");
            var rtd = Path.Combine(work, $"uac-{step}-rtt.csv");
            await using (var uac = Proc.Start("sipp",
                ["127.0.0.1:" + sipPort.ToString(CultureInfo.InvariantCulture), "-sf", Path.Combine(scenarios, "uac.xml"),
                 "-s", "1133334444", "-inf", accountsFile, "-i", "127.0.0.1", "-p", FreeUdpPort().ToString(CultureInfo.InvariantCulture),
                 "-r", rate.ToString(CultureInfo.InvariantCulture), "-m", total.ToString(CultureInfo.InvariantCulture),
                 "-l", (rate * (callMs / 1000 + 3)).ToString(CultureInfo.InvariantCulture),
                 "-d", callMs.ToString(CultureInfo.InvariantCulture), "-nostdin", "-timeout", (seconds + 60).ToString(CultureInfo.InvariantCulture) + "s",
                 "-trace_screen", "-screen_file", screen, "-trace_rtt", "-rtt_freq", "1", "-trace_err",
                 "-error_file", Path.Combine(work, $"uac-{step}-errors.log")],
                Path.Combine(work, $"uac-{step}.log")))
            {
                sent.Add((uac.Pid, total));
                await uac.WaitAsync(TimeSpan.FromSeconds(seconds + 90));
            }
            var elapsed = wall.Elapsed.TotalSeconds;
            var cpu1 = Cpu();
            var text = File.Exists(screen) ? await File.ReadAllTextAsync(screen) : "";
            var ok = Counter(text, "Successful call");
            var failed = Counter(text, "Failed call");
            completed += ok;
            var (p50, p99) = RttPercentiles(work);
            double Us(double s) => ok == 0 ? double.NaN : s / ok * 1e6;
            var d = cpu1 - cpu0 - idleRate * elapsed;
            Console.WriteLine($"{rate,12} {ok / elapsed,13:F0} {failed,7} {p50,10:F1} / {p99,-9:F1} " +
                $"{$"{Us(d.Kamailio):F0} + {Us(d.Sipp):F0} + {Us(d.Bench):F0} + {Us(d.Postgres):F0}",78}");
            rows.Add(new
            {
                rate, seconds = elapsed, completed = ok, failed, invite200P50Ms = p50, invite200P99Ms = p99,
                cpuUsPerCall = new { kamailio = Us(d.Kamailio), sipp = Us(d.Sipp), siloAndApi = Us(d.Bench), postgres = Us(d.Postgres) },
                cpuShareOfMachine = new
                {
                    kamailio = d.Kamailio / elapsed / Environment.ProcessorCount, sipp = d.Sipp / elapsed / Environment.ProcessorCount,
                    siloAndApi = d.Bench / elapsed / Environment.ProcessorCount, postgres = d.Postgres / elapsed / Environment.ProcessorCount,
                },
            });
            foreach (var f in Directory.EnumerateFiles(work, $"uac-{step}-rtt*.csv")) File.Delete(f);
            if (failed > 0 && File.Exists(Path.Combine(work, $"uac-{step}-errors.log")))
                Console.WriteLine("    primeiras falhas do SIPp: " + string.Join(" | ",
                    (await File.ReadAllLinesAsync(Path.Combine(work, $"uac-{step}-errors.log"))).Where(l => l.Length > 0).Take(3)));
        }

        // every call SIPp completed was billed exactly once: completes are sent at BYE; give the last ones a moment
        var billed = 0L;
        for (var i = 0; i < 40; i++)
        {
            billed = await env.ScalarAsync("SELECT count(*) FROM ledger WHERE kind = 'call' AND call_id LIKE '%@%'");
            if (billed >= completed) break;
            await Task.Delay(250);
        }
        if (billed != completed)
        {
            // which calls SIPp placed have no ledger row, and what Kamailio logged about them
            var inLedger = new HashSet<string>(await env.CallIdsAsync());
            var missing = sent.SelectMany(s => Enumerable.Range(1, s.Calls).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n}-{s.Pid}@127.0.0.1")))
                .Where(id => !inLedger.Contains(id)).ToList();
            Console.WriteLine($"chamadas do SIPp sem linha no razão (inclui as que falharam no SIPp): {missing.Count}; primeiras: {string.Join(", ", missing.Take(8))}");
            var log = Path.Combine(work, "kamailio.log");
            foreach (var id in missing.Take(3))
                foreach (var line in File.ReadLines(log).Where(l => l.Contains(id, StringComparison.Ordinal)).Take(12))
                    Console.WriteLine("    " + line);
        }
        var duplicates = await env.ScalarAsync("SELECT count(*) FROM (SELECT call_id FROM ledger WHERE kind = 'call' GROUP BY call_id HAVING count(*) > 1) d");
        Console.WriteLine($"razão: {billed} chamadas SIP gravadas para {completed} completadas pelo SIPp; call ids em duplicidade: {duplicates}");
        Console.WriteLine(await env.CheckLedgerAsync());
        if (File.Exists("/proc/loadavg"))
            Console.WriteLine($"carga da máquina no fim (/proc/loadavg: 1, 5, 15 min): {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
        var notSent = File.Exists(Path.Combine(work, "kamailio.log"))
            ? File.ReadLines(Path.Combine(work, "kamailio.log")).Count(l => l.Contains("NOT SENT", StringComparison.Ordinal))
            : 0;
        if (notSent > 0) Console.WriteLine($"kamailio: {notSent} eventos não enviados ao cluster (ver o log)");
        Directory.CreateDirectory("bench-results");
        var file = Path.Combine("bench-results", $"sip-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
        await File.WriteAllTextAsync(file, System.Text.Json.JsonSerializer.Serialize(new
        {
            scenario = "sip", circuits, seconds, callMs, cores = Environment.ProcessorCount,
            idleCpuSecondsPerSecond = new { kamailio = idleRate.Kamailio, sipp = idleRate.Sipp, siloAndApi = idleRate.Bench, postgres = idleRate.Postgres },
            steps = rows, completed, billed, duplicates,
        }, new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        Console.WriteLine($"resultado em {file} (logs do Kamailio e do SIPp em {work})");
        return billed == completed && duplicates == 0 ? 0 : 1;
    }

    private static long Counter(string screen, string name)
    {
        // "  Successful call        |        0                  |       1234" (periodic | cumulative)
        var m = Regex.Match(screen, Regex.Escape(name) + @"\s*\|\s*\d+\s*\|\s*(\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>INVITE→200 (SIPp's response-time duration, rtd) p50/p99 from the -trace_rtt files of the step.</summary>
    private static (double P50, double P99) RttPercentiles(string work)
    {
        var values = new List<double>();
        foreach (var f in Directory.EnumerateFiles(work, "*_rtt.csv"))
        {
            foreach (var line in File.ReadLines(f).Skip(1))
            {
                var parts = line.Split(';');
                if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)) values.Add(ms);
            }
            File.Delete(f);
        }
        if (values.Count == 0) return (double.NaN, double.NaN);
        values.Sort();
        return (values[(int)(values.Count * 0.50)], values[Math.Min(values.Count - 1, (int)(values.Count * 0.99))]);
    }

    private readonly record struct CpuSample(double Kamailio, double Sipp, double Bench, double Postgres)
    {
        public static CpuSample operator -(CpuSample a, CpuSample b) =>
            new(a.Kamailio - b.Kamailio, a.Sipp - b.Sipp, a.Bench - b.Bench, a.Postgres - b.Postgres);

        public static CpuSample operator *(CpuSample a, double k) => new(a.Kamailio * k, a.Sipp * k, a.Bench * k, a.Postgres * k);
    }

    private static int[] _kamailio = [], _sipp = [];

    private static CpuSample Cpu() => new(ProcessCpu.Tree(_kamailio), ProcessCpu.Tree(_sipp),
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, ProcessCpu.Postgres());

    private static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static int FreeUdpPort()
    {
        for (var i = 0; i < 50; i++)
        {
            var port = BenchEnvironment.FreePort();
            try
            {
                using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // taken for UDP: next
            }
        }
        throw new InvalidOperationException("nenhuma porta livre para UDP e TCP");
    }

    private static async Task WaitTcpAsync(int port, TimeSpan timeout, Proc owner)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (owner.HasExited) throw new InvalidOperationException("kamailio saiu: " + owner.Tail());
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }
        throw new TimeoutException("kamailio não abriu a porta evapi: " + owner.Tail());
    }

    /// <summary>A child process with its output in a file; disposing kills its whole tree.</summary>
    private sealed class Proc : IAsyncDisposable
    {
        private readonly Process _p;
        private readonly string _log;

        private Proc(Process p, string log)
        {
            _p = p;
            _log = log;
        }

        public bool HasExited => _p.HasExited;

        public int Pid => _p.Id;

        public static Proc Start(string file, IEnumerable<string> args, string log, IReadOnlyDictionary<string, string>? environment = null)
        {
            // through the shell so the output goes straight to a file (nothing to drain here); exec keeps the pid
            var command = "cd " + Quote(Path.GetDirectoryName(log)!) + " && exec " + file + " " + string.Join(' ', args.Select(Quote)) + " >" + Quote(log) + " 2>&1";
            var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false };
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
            return new Proc(Process.Start(start) ?? throw new InvalidOperationException(file + " não iniciou"), log);
        }

        private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        public async Task WaitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("    SIPp não terminou no prazo: interrompido");
            }
        }

        public string Tail() => File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(20)) : "";

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_p.HasExited) _p.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _p.WaitForExitAsync(cts.Token);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                // gone already
            }
            _p.Dispose();
        }
    }
}
