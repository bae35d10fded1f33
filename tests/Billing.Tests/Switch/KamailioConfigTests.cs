using System.Diagnostics;

namespace Billing.Tests.Switch;

/// <summary>The kamailio binary (Debian's /usr/sbin is often not on a user's PATH), or null when not installed.</summary>
internal static class Kamailio
{
    public static readonly string? Binary = Find();

    private static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return dirs.Select(d => Path.Combine(d, "kamailio")).FirstOrDefault(File.Exists);
    }
}

/// <summary>Skipped only when Kamailio is not installed (./deploy/test.sh installs it).</summary>
public sealed class KamailioFactAttribute : FactAttribute
{
    public KamailioFactAttribute()
    {
        if (Kamailio.Binary is null) Skip = "kamailio não está instalado (./deploy/test.sh instala kamailio, kamailio-extra-modules e kamailio-json-modules)";
    }
}

/// <summary>The shipped deploy/kamailio/kamailio.cfg passes Kamailio's own configuration check (<c>kamailio -c</c>).</summary>
public sealed class KamailioConfigTests
{
    private static readonly string Root = FindRoot();
    private static string Config => Path.Combine(Root, "deploy", "kamailio", "kamailio.cfg");

    /// <summary>The shipped deploy/kamailio/kamailio.cfg.</summary>
    internal static string ConfigPath => Config;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Billing.sln"))) return dir.FullName;
        throw new InvalidOperationException("Billing.sln não encontrado acima de " + AppContext.BaseDirectory);
    }

    private static async Task<(int Exit, string Output)> CheckAsync(string config, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(Kamailio.Binary!, ["-c", "-f", config])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var name in new[] { "BILLING_SIP_IP", "BILLING_SIP_PORT", "BILLING_SIP_CARRIER", "BILLING_EVAPI_BIND", "BILLING_SIP_REALM",
                     "BILLING_SIP_AUTH_CACHE", "BILLING_EXTEND_BEFORE", "BILLING_EVAPI_RETRY", "BILLING_PENDING_MAX" })
            start.Environment.Remove(name);
        if (env is not null)
            foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [KamailioFact]
    public async Task WhenTheShippedConfigIsCheckedWithDefaults_ThenKamailioAcceptsIt()
    {
        var (exit, output) = await CheckAsync(Config);
        Assert.True(exit == 0, output);
        Assert.Contains("config file ok", output, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", output, StringComparison.Ordinal);
    }

    [KamailioFact]
    public async Task WhenTheEnvironmentSetsAddressesAndCarrier_ThenKamailioAcceptsItAndListensThere()
    {
        var (exit, output) = await CheckAsync(Config, new Dictionary<string, string>
        {
            ["BILLING_SIP_IP"] = "127.0.0.1",
            ["BILLING_SIP_PORT"] = "5999",
            ["BILLING_SIP_CARRIER"] = "10.20.30.40:5060",
            ["BILLING_EVAPI_BIND"] = "127.0.0.1:9448",
        });
        Assert.True(exit == 0, output);
        Assert.Contains(":5999", output, StringComparison.Ordinal);
    }

    [KamailioFact]
    public async Task WhenAConfigIsBroken_ThenTheCheckFails()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"kamailio-broken-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(Config)).Replace("route[RELAY] {", "route[RELAY] {{", StringComparison.Ordinal));
        try
        {
            var (exit, _) = await CheckAsync(broken);
            Assert.NotEqual(0, exit);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public async Task WhenTheConfigSpeaksTheSwitchProtocol_ThenItUsesTheConnectorsFieldNames()
    {
        var cfg = await File.ReadAllTextAsync(Config);
        foreach (var field in new[] { "\"tindex\"", "\"tlabel\"", "\"sipCode\"", "\"maxSeconds\"", "\"callId\"", "\"durationSeconds\"", "\"answeredAt\"",
                     "\"totalSeconds\"", "\"status\"", "\"extend\"", "\"complete\"",
                     "\"direction\"", "\"did\"", "\"forwardTo\"", "\"account\"", "\"caller\"" })
            Assert.Contains(field, cfg, StringComparison.Ordinal);
        Assert.Contains("modparam(\"evapi\", \"netstring_format\", 1)", cfg, StringComparison.Ordinal);
        Assert.Contains("t_continue(", cfg, StringComparison.Ordinal);
        Assert.Contains("dlg_set_timeout(", cfg, StringComparison.Ordinal);
        // REGISTER handling (save) and inbound delivery (lookup) share these lines: exactly one each
        Assert.Single(cfg.Split('\n'), l => l.Trim() == "loadmodule \"usrloc.so\"");
        Assert.Single(cfg.Split('\n'), l => l.Trim() == "loadmodule \"registrar.so\"");
        Assert.Contains("modparam(\"usrloc\", \"db_mode\", 0)", cfg, StringComparison.Ordinal);
        Assert.Contains("lookup(\"location\")", cfg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTimerRoutesWalkTheirTables_ThenAWhileMayTurnOncePerEntryOfTheLargestTable()
    {
        // a while stops after max_while_loops turns (Kamailio's default 100): the extend, keepalive and resend walks
        // would skip every entry past it. The largest walked table is the kept completes (BILLING_PENDING_MAX).
        var cfg = await File.ReadAllTextAsync(Config);
        var loops = System.Text.RegularExpressions.Regex.Match(cfg, @"^max_while_loops\s*=\s*(\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(loops.Success, "kamailio.cfg não define max_while_loops (o padrão é 100)");
        var pending = System.Text.RegularExpressions.Regex.Match(cfg, @"#!define BILLING_PENDING_MAX (\d+)");
        Assert.True(pending.Success);
        Assert.True(long.Parse(loops.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >=
                    10 * long.Parse(pending.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("sht_iterator_next", cfg, StringComparison.Ordinal);
    }
}
