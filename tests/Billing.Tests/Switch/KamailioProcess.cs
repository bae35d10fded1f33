using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Switch;

/// <summary>
/// A real Kamailio running the shipped deploy/kamailio/kamailio.cfg in the foreground (<c>-DD -E</c>), on free loopback
/// ports, with its runtime dir in a temp dir (no root, nothing under /var/run). Dispose kills its whole process tree:
/// its forked workers keep the redirected output open, so killing only the main process would hang the reader.
/// </summary>
public sealed class KamailioProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _runtimeDir;
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>BILLING_SIP_AUTH_CACHE of the test Kamailio.</summary>
    public const int AuthCacheSeconds = 3;

    public int SipPort { get; }
    public IPEndPoint Sip => new(IPAddress.Loopback, SipPort);
    public int EvapiPort { get; }

    private KamailioProcess(Process process, string runtimeDir, int sipPort, int evapiPort)
    {
        _process = process;
        _runtimeDir = runtimeDir;
        SipPort = sipPort;
        EvapiPort = evapiPort;
    }

    /// <summary>The last lines Kamailio logged (for assertion messages).</summary>
    public string Log => string.Join('\n', _log.TakeLast(80));

    /// <summary>Whether Kamailio logged a line containing <paramref name="text"/>.</summary>
    public bool Logged(string text) => _log.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>How many lines Kamailio logged containing <paramref name="text"/>.</summary>
    public int Count(string text) => _log.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Every line Kamailio logged containing <paramref name="text"/>.</summary>
    public string Grep(string text) => string.Join('\n', _log.Where(l => l.Contains(text, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Starts Kamailio; <paramref name="env"/> adds or overrides settings of the cfg (e.g. BILLING_EXTEND_BEFORE).</summary>
    public static async Task<KamailioProcess> StartAsync(string config, int carrierPort, IReadOnlyDictionary<string, string>? env = null)
    {
        var sipPort = FreeUdpAndTcpPort();
        var evapiPort = Ports.Free();
        var runtimeDir = Directory.CreateTempSubdirectory("kamailio-test-").FullName;
        var start = new ProcessStartInfo(Kamailio.Binary!,
            ["-DD", "-E", "-Y", runtimeDir, "-f", config, "-m", "64", "-M", "8", "-n", "2"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["BILLING_SIP_IP"] = "127.0.0.1";
        start.Environment["BILLING_SIP_PORT"] = sipPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BILLING_SIP_CARRIER"] = "127.0.0.1:" + carrierPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BILLING_EVAPI_BIND"] = "127.0.0.1:" + evapiPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["BILLING_SIP_REALM"] = "billing";
        // HA1s from the cluster are reused this long (60 s shipped): a test sees a password change take effect
        start.Environment["BILLING_SIP_AUTH_CACHE"] = AuthCacheSeconds.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in env ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("kamailio não iniciou");
        var k = new KamailioProcess(process, runtimeDir, sipPort, evapiPort);
        process.OutputDataReceived += (_, e) => k.Add(e.Data);
        process.ErrorDataReceived += (_, e) => k.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await k.WaitListeningAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            await k.DisposeAsync();
            throw;
        }
        return k;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 2000) _log.TryDequeue(out _);
    }

    /// <summary>Until the evapi port accepts (the workers are up) and SIP answers a keepalive OPTIONS.</summary>
    private async Task WaitListeningAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var local = (IPEndPoint)udp.Client.LocalEndPoint!;
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException("kamailio saiu com código " + _process.ExitCode + ":\n" + Log);
            var branch = "z9hG4bK-" + Guid.NewGuid().ToString("N");
            var options = string.Create(CultureInfo.InvariantCulture,
                $"OPTIONS sip:127.0.0.1:{SipPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local.Port};branch={branch}\r\nMax-Forwards: 70\r\n"
                + $"From: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:127.0.0.1:{SipPort}>\r\nCall-ID: {branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
            await udp.SendAsync(Encoding.ASCII.GetBytes(options), Sip);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                var r = await udp.ReceiveAsync(wait.Token);
                if (Encoding.ASCII.GetString(r.Buffer).StartsWith("SIP/2.0 200", StringComparison.Ordinal)) return;
            }
            catch (OperationCanceledException)
            {
                // not up yet
            }
        }
        throw new TimeoutException("kamailio não respondeu OPTIONS em " + timeout + ":\n" + Log);
    }

    /// <summary>
    /// Runs <c>kamcmd</c> against this Kamailio's own control socket (ctl's default <c>kamailio_ctl</c> in the <c>-Y</c>
    /// runtime dir) and returns its output; a non-zero exit or an RPC error fails.
    /// </summary>
    public async Task<string> KamcmdAsync(params string[] args)
    {
        var kamcmd = Path.Combine(Path.GetDirectoryName(Kamailio.Binary!)!, "kamcmd");
        var start = new ProcessStartInfo(kamcmd, ["-s", "unix:" + Path.Combine(_runtimeDir, "kamailio_ctl"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(start) ?? throw new InvalidOperationException("kamcmd não iniciou");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await p.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        // kamcmd prints an RPC fault ("error: 500 - …") and still exits 0
        if (p.ExitCode != 0 || output.Contains("error:", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"kamcmd {string.Join(' ', args)} falhou ({p.ExitCode}): {output}");
        return output;
    }

    /// <summary>A port free for both UDP and TCP on loopback (Kamailio listens on both).</summary>
    private static int FreeUdpAndTcpPort()
    {
        for (var i = 0; i < 50; i++)
        {
            var port = Ports.Free();
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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // already gone, or a worker outlived the wait: nothing more to do here
        }
        _process.Dispose();
        try { Directory.Delete(_runtimeDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
