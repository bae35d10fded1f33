using System.Diagnostics.Metrics;
using System.Globalization;
using Billing.Grains.Circuits;
using Billing.Silo.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace Billing.Silo.Hosting;

/// <summary>
/// Silo-side observability: the Orleans Dashboard's silo part (grain profiler and the dashboard grains the
/// API's <c>/dashboard</c> reads), the ledger backlog gauge, and an optional Prometheus endpoint.
/// </summary>
public static class SiloObservability
{
    /// <summary>Environment key of the silo's own Prometheus port; unset = no listener.</summary>
    public const string MetricsPortKey = "BILLING_METRICS_PORT";

    /// <summary>Environment key that turns the dashboard's silo part off (<c>false</c>); on by default.</summary>
    public const string DashboardKey = "BILLING_DASHBOARD";

    /// <summary>Meters the silo exports: ledger batches, ledger backlog, reservations, Orleans' own.</summary>
    public static readonly string[] Meters = [LedgerMetrics.MeterName, SiloGauges.MeterName, ReservationGauge.MeterName, "Microsoft.Orleans"];

    public static ISiloBuilder AddBillingObservability(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        if (DashboardEnabled(configuration))
            silo.AddDashboard(o => o.HideTrace = true);
        silo.Services.AddSingleton<SiloGauges>();
        if (MetricsPort(configuration) is { } port)
            silo.Services.AddHostedService(sp => new SiloMetricsListener(port, sp.GetRequiredService<SiloGauges>(),
                sp.GetRequiredService<ILogger<SiloMetricsListener>>()));
        return silo;
    }

    public static bool DashboardEnabled(IConfiguration configuration) =>
        !string.Equals(configuration[DashboardKey]?.Trim(), "false", StringComparison.OrdinalIgnoreCase);

    public static int? MetricsPort(IConfiguration configuration)
    {
        var value = configuration[MetricsPortKey] ?? configuration["Billing:MetricsPort"];
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            return port;
        throw new InvalidOperationException($"{MetricsPortKey} inválida: '{value}'.");
    }
}

/// <summary>Observable gauges of the silo that need a service instance (meter <see cref="MeterName"/>).</summary>
public sealed class SiloGauges : IDisposable
{
    public const string MeterName = "Billing.Silo";
    private readonly Meter _meter = new(MeterName);

    public SiloGauges(PostgresLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _meter.CreateObservableGauge("billing.ledger.backlog", () => ledger.Backlog, "{entry}",
            "Ledger entries queued for the next group commit (acknowledged only once written)");
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// A tiny Kestrel listener serving <c>GET /metrics</c> (Prometheus text) and <c>GET /health/live</c> on every interface of the silo's
/// host, like the silo and gateway ports: keep it on the cluster's private network.
/// </summary>
public sealed partial class SiloMetricsListener(int port, SiloGauges gauges, ILogger<SiloMetricsListener> log) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(gauges); // created with the listener so the gauge exists while it is scraped
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.ListenAnyIP(port));
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(SiloObservability.Meters).AddPrometheusExporter());
        _app = builder.Build();
        _app.MapPrometheusScrapingEndpoint("/metrics");
        _app.MapGet("/health/live", () => Results.Text("ok")); // process answers (Kubernetes liveness of the silo)
        await _app.StartAsync(cancellationToken);
        LogListening(log, port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Métricas Prometheus do silo em http://0.0.0.0:{Port}/metrics")]
    private static partial void LogListening(ILogger logger, int port);
}
