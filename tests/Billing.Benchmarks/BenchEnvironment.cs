using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Billing.Api.Hosting;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Registration;
using Billing.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Benchmarks;

/// <summary>A fresh database, one silo and the API (real Kestrel on loopback), circuits with credit, and the naive baseline's tables.</summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private IHost _silo = null!;
    private readonly List<IHost> _extraSilos = [];
    private WebApplication _api = null!;
    private string _server = "";
    public string Database { get; private set; } = "";
    public NpgsqlDataSource Db { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public HttpClient AdminHttp { get; private set; } = null!;
    public IReadOnlyList<string> Accounts { get; private set; } = [];
    private string _switchKey = "";
    private Uri _apiBase = null!;

    /// <summary>An HTTP client of the softswitch (switch key) with its own connections.</summary>
    public HttpClient NewSwitchClient()
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = _apiBase };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _switchKey);
        return http;
    }

    /// <summary>A TCP port on loopback the kernel just handed out as free.</summary>
    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <param name="siloConfig">More settings for the silo(s) only, e.g. <c>BILLING_SWITCH_EVAPI</c> for the switch scenario.</param>
    /// <param name="apiEvapi">An evapi endpoint the API host connects to (the connector hosted in the API host, over its
    /// cluster client, to compare with the silo's); null: none.</param>
    public static async Task<BenchEnvironment> StartAsync(string server, int circuits, int silos = 1,
        IReadOnlyDictionary<string, string?>? siloConfig = null, string? apiEvapi = null)
    {
        var env = new BenchEnvironment { _server = server };
        var name = "billing_bench_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        await using (var conn = new NpgsqlConnection(server))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        env.Database = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 40 }.ConnectionString;
        await Migrator.ApplyAsync(env.Database);
        env.Db = NpgsqlDataSource.Create(env.Database);

        var config = new Dictionary<string, string?>
        {
            ["BILLING_DB"] = env.Database,
            ["BILLING_CLUSTER_ID"] = "bench",
            ["BILLING_SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["BILLING_GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["BILLING_ADMIN_KEY"] = "bench-admin-" + Guid.NewGuid().ToString("N"),
            ["BILLING_SWITCH_KEY"] = "bench-switch-" + Guid.NewGuid().ToString("N"),
            // BILLING_DASHBOARD=false measures without the dashboard's per-grain-call profiler
            ["BILLING_DASHBOARD"] = Environment.GetEnvironmentVariable("BILLING_DASHBOARD"),
        };
        // BENCH_LEDGER_WRITERS=8 tries another number of group-commit loops; BENCH_LEDGER_COPY=false measures the
        // INSERT … SELECT unnest … ON CONFLICT path alone (set only when given: an empty value would bind as 0/false)
        if (Environment.GetEnvironmentVariable("BENCH_LEDGER_WRITERS") is { Length: > 0 } writers) config["Billing:Ledger:Writers"] = writers;
        if (Environment.GetEnvironmentVariable("BENCH_LEDGER_COPY") is { Length: > 0 } copy) config["Billing:Ledger:Copy"] = copy;
        // BENCH_HOLDS_SYNC=false measures credit holds committed without waiting for the WAL flush
        if (Environment.GetEnvironmentVariable("BENCH_HOLDS_SYNC") is { Length: > 0 } holdsSync) config["Billing:Ledger:HoldsSynchronousCommit"] = holdsSync;
        if (Environment.GetEnvironmentVariable("BENCH_HOLD_WRITERS") is { Length: > 0 } holdWriters) config["Billing:Ledger:HoldWriters"] = holdWriters;
        var sb = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        sb.Configuration.AddInMemoryCollection(config);
        if (siloConfig is not null) sb.Configuration.AddInMemoryCollection(siloConfig);
        sb.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
        var settings = BillingSettings.From(sb.Configuration);
        sb.UseOrleans(s => s.AddBillingSilo(settings, sb.Configuration));
        env._silo = sb.Build();
        await env._silo.StartAsync();
        for (var i = 1; i < silos; i++)
        {
            // more silos of the same cluster in this process (each its own host, ports and membership row)
            var xb = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            xb.Configuration.AddInMemoryCollection(config);
            xb.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BILLING_SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["BILLING_GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["BILLING_SILO_NAME"] = "bench-silo-" + i.ToString(CultureInfo.InvariantCulture),
            });
            xb.Logging.SetMinimumLevel(LogLevel.Warning).AddConsole();
            var xs = BillingSettings.From(xb.Configuration);
            xb.UseOrleans(s => s.AddBillingSilo(xs, xb.Configuration));
            var extra = xb.Build();
            await extra.StartAsync();
            env._extraSilos.Add(extra);
        }

        var port = FreePort();
        var ab = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        ab.Configuration.AddInMemoryCollection(config);
        ab.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        ab.WebHost.UseUrls($"http://127.0.0.1:{port}");
        ab.AddBillingApi();
        if (apiEvapi is not null)
        {
            // the same connector and protocol as the silo's, over the API host's cluster client (grain calls cross the
            // gateway connection instead of staying inside the silo)
            ab.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [Billing.Silo.Switch.EvapiEndpoint.ConfigKey] = apiEvapi });
            Billing.Silo.Switch.EvapiServices.AddEvapi(ab.Services, ab.Configuration);
        }
        env._api = ab.Build();
        env._api.UseBillingApi();
        await env._api.StartAsync();
        env._switchKey = config["BILLING_SWITCH_KEY"]!;
        env._apiBase = new Uri($"http://127.0.0.1:{port}");
        env.Http = env.NewSwitchClient();
        env.AdminHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        env.AdminHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config["BILLING_ADMIN_KEY"]);

        var grains = env._silo.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<ICustomerGrain>("cus:1").Create(new CustomerData { Nome = "Cliente benchmark", Documento = "11144477735" }, "bench");
        var tariff = Tariff.Simple(0.10m, 6, minimumSeconds: 30);
        await grains.GetGrain<IPlanGrain>("plan:bench").Create("Plano benchmark", DateTimeOffset.UtcNow.AddDays(-1),
            ImmutableDictionary<CallType, PlanEntry>.Empty.Add(CallType.LocalFixo, PlanEntry.Of(tariff)));
        var accounts = Enumerable.Range(0, circuits).Select(i => (800_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(accounts.Select(async a =>
        {
            await gate.WaitAsync();
            using var _ = new Releaser(gate);
            var g = grains.GetGrain<ICircuitGrain>("ckt:" + a);
            var r = await g.Create(new CircuitData { Name = a, CustomerId = 1, PlanId = "bench", AreaCode = "11" }, "bench");
            if (!r.IsOk) throw new InvalidOperationException(r.Message);
            await g.Credit(new CreditRequest(1_000_000m, "carga do benchmark", "bench-open-" + a, "bench"));
        }));
        env.Accounts = accounts;

        await using (var cmd = env.Db.CreateCommand(
            """
            CREATE TABLE naive_balance (account text PRIMARY KEY, balance numeric(14,2) NOT NULL);
            CREATE TABLE naive_cdr (call_id text PRIMARY KEY, account text NOT NULL, amount numeric(14,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO naive_balance SELECT unnest(@a), 1000000;
            """))
        {
            cmd.Parameters.AddWithValue("a", accounts.ToArray());
            await cmd.ExecuteNonQueryAsync();
        }
        return env;
    }

    /// <summary>How many activations of circuits each silo of this process holds (placement across silos).</summary>
    public async Task<string> PlacementAsync()
    {
        var mgmt = _silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var stats = await mgmt.GetSimpleGrainStatistics();
        return string.Join(", ", stats.Where(s => s.GrainType.Contains("CircuitGrain", StringComparison.Ordinal))
            .Select(s => $"{s.SiloAddress}: {s.ActivationCount}"));
    }

    /// <summary>The ledger writer settings the silo really runs with.</summary>
    public string LedgerSettings
    {
        get
        {
            var o = _silo.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Billing.Silo.Ledger.LedgerOptions>>().Value;
            return $"razão: {o.Writers} gravadores, {(o.Copy ? "COPY binário" : "INSERT … ON CONFLICT")}";
        }
    }

    public ICircuitGrain Circuit(string account) =>
        _silo.Services.GetRequiredService<IGrainFactory>().GetGrain<ICircuitGrain>("ckt:" + account);

    /// <summary>A count from the bench database.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var cmd = Db.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every call id in the ledger.</summary>
    public async Task<List<string>> CallIdsAsync()
    {
        var ids = new List<string>();
        await using var cmd = Db.CreateCommand("SELECT call_id FROM ledger WHERE kind = 'call'");
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetString(0));
        return ids;
    }

    /// <summary>Gives every circuit a SIP password (random, per run: Kamailio digest-authenticates its INVITEs) and returns them by account.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SetSipPasswordsAsync()
    {
        var passwords = Accounts.ToDictionary(a => a, _ => "sip-" + Guid.NewGuid().ToString("N")[..16]);
        foreach (var (account, password) in passwords)
        {
            var r = await Circuit(account).SetSipPassword(password, "bench");
            if (!r.IsOk) throw new InvalidOperationException(r.Message);
        }
        return passwords;
    }

    /// <summary>The baseline: one transaction per call.</summary>
    public async Task NaiveCompleteAsync(string account, string callId)
    {
        await using var conn = await Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var up = new NpgsqlCommand("UPDATE naive_balance SET balance = balance - @c WHERE account = @a", conn, tx))
        {
            up.Parameters.AddWithValue("a", account);
            up.Parameters.AddWithValue("c", 0.10m);
            await up.ExecuteNonQueryAsync();
        }
        await using (var ins = new NpgsqlCommand("INSERT INTO naive_cdr (call_id, account, amount) VALUES (@id, @a, @c) ON CONFLICT DO NOTHING", conn, tx))
        {
            ins.Parameters.AddWithValue("id", callId);
            ins.Parameters.AddWithValue("a", account);
            ins.Parameters.AddWithValue("c", 0.10m);
            await ins.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    /// <summary>Every circuit's live balance equals the ledger's sum.</summary>
    public async Task<string> CheckLedgerAsync()
    {
        var grains = _silo.Services.GetRequiredService<IGrainFactory>();
        var mismatches = 0;
        long rows;
        await using (var cmd = Db.CreateCommand("SELECT count(*) FROM ledger WHERE kind = 'call'"))
            rows = (long)(await cmd.ExecuteScalarAsync())!;
        foreach (var a in Accounts)
        {
            await using var cmd = Db.CreateCommand("SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = @a");
            cmd.Parameters.AddWithValue("a", a);
            var sum = (decimal)(await cmd.ExecuteScalarAsync())!;
            var live = await grains.GetGrain<ICircuitGrain>("ckt:" + a).GetBalance();
            if (live!.Balance != sum) mismatches++;
        }
        return $"razão: {rows} chamadas gravadas; circuitos com saldo diferente do razão: {mismatches}";
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        AdminHttp?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        foreach (var extra in _extraSilos)
        {
            await extra.StopAsync();
            extra.Dispose();
        }
        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
        if (Db is not null) await Db.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_server);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(Database).Database}\" WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
    }

    private readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
