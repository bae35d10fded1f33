using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Billing.Tests.Drill;

/// <summary>Real silo and API processes (the binaries run.sh starts), for the kill -9 drill.</summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<int, Process> _silos = [];
    private readonly string _logs = Directory.CreateTempSubdirectory("billing-drill-").FullName;
    private Process? _api;

    public required string Database { get; init; }
    public string ClusterId { get; } = "drill-" + Guid.NewGuid().ToString("N")[..6];
    public string AdminKey { get; } = "admin-" + Guid.NewGuid().ToString("N");
    public string SwitchKey { get; } = "switch-" + Guid.NewGuid().ToString("N");
    public int ApiPort { get; } = Infrastructure.Ports.Free();
    /// <summary>Silo and gateway port of each silo, chosen free at its first start and kept for its restarts.</summary>
    private readonly Dictionary<int, (int Silo, int Gateway)> _ports = [];

    private static string Root() => Infrastructure.RepoRoot.Path;

    private static string Binary(string project, string dll)
    {
        var config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Config>/net10.0
        var path = Path.Combine(Root(), project, "bin", config, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException("Compile a solução antes (dotnet build).", path);
    }

    private Process Start(string dll, string name, IDictionary<string, string> env, string? args = null)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["BILLING_DB"] = Database;
        psi.Environment["BILLING_CLUSTER_ID"] = ClusterId;
        psi.Environment["DOTNET_gcServer"] = "0";
        foreach (var kv in env) psi.Environment[kv.Key] = kv.Value;
        var p = Process.Start(psi)!;
        var log = new StreamWriter(Path.Combine(_logs, name + ".log"), append: true) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Starts silo <paramref name="i"/>; <paramref name="env"/> adds settings (e.g. BILLING_SWITCH_EVAPI).</summary>
    public void StartSilo(int i, IReadOnlyDictionary<string, string>? env = null)
    {
        // ports the kernel just handed out as free, not base + offset: on a busy machine a neighbour of a free port is
        // often the local port of some outgoing connection, and the silo then dies with "address already in use"
        if (!_ports.TryGetValue(i, out var ports))
        {
            var taken = _ports.Values.SelectMany(p => new[] { p.Silo, p.Gateway }).ToHashSet();
            int Next()
            {
                int port;
                do port = Infrastructure.Ports.Free(); while (!taken.Add(port) || port == ApiPort);
                return port;
            }
            _ports[i] = ports = (Next(), Next());
        }
        var settings = new Dictionary<string, string>
        {
            ["BILLING_SILO_PORT"] = ports.Silo.ToString(CultureInfo.InvariantCulture),
            ["BILLING_GATEWAY_PORT"] = ports.Gateway.ToString(CultureInfo.InvariantCulture),
            ["BILLING_SILO_NAME"] = $"drill-silo-{i}",
            ["BILLING_ADVERTISED_IP"] = "127.0.0.1",
        };
        foreach (var (name, value) in env ?? new Dictionary<string, string>()) settings[name] = value;
        _silos[i] = Start(Binary("silo", "Billing.Silo.dll"), $"silo-{i}", settings);
    }

    /// <summary>SIGKILL: no shutdown, no flush, no goodbye to the cluster.</summary>
    public void KillSilo(int i)
    {
        _silos[i].Kill(entireProcessTree: true);
        _silos[i].WaitForExit(10_000);
    }

    public void StartApi() =>
        _api = Start(Binary("api", "Billing.Api.dll"), "api", new Dictionary<string, string>
        {
            ["BILLING_ADMIN_KEY"] = AdminKey,
            ["BILLING_SWITCH_KEY"] = SwitchKey,
        }, $"--urls http://127.0.0.1:{ApiPort}");

    public HttpClient Client(string key)
    {
        var c = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}"), Timeout = TimeSpan.FromSeconds(15) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("API não ficou pronta; logs em " + _logs);
    }

    public string Logs => _logs;

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _silos.Values.Append(_api).OfType<Process>())
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync(new CancellationTokenSource(10_000).Token);
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
    }

    /// <summary>The answer of an API request, retried every 500 ms (up to 120 times) while the cluster comes back (5xx or no connection).</summary>
    public static async Task<HttpResponseMessage> Retry(Func<Task<HttpResponseMessage>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var r = await send();
                if ((int)r.StatusCode < 500 || attempt >= 120) return r;
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && attempt < 120)
            {
            }
            await Task.Delay(500);
        }
    }
}
