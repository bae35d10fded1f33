using System.Globalization;
using Billing.GrainInterfaces.Hosting;
using Billing.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Tests.Infrastructure;

/// <summary>An in-process silo wired exactly like silo/Program.cs (AdoNet clustering, storage, reminders).</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private InProcessSilo(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<InProcessSilo> StartAsync(string database, string clusterId, string name,
        Action<IServiceCollection>? services = null, IDictionary<string, string?>? extraConfig = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var values = new Dictionary<string, string?>
        {
            ["BILLING_DB"] = database,
            ["BILLING_CLUSTER_ID"] = clusterId,
            ["BILLING_SILO_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
            ["BILLING_GATEWAY_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
            ["BILLING_SILO_NAME"] = name,
            ["Billing:Membership:ProbeTimeout"] = "00:00:02",
            ["Billing:Membership:NumMissedProbesLimit"] = "2",
            ["Billing:Membership:NumVotesForDeathDeclaration"] = "1",
        };
        if (extraConfig is not null)
            foreach (var kv in extraConfig) values[kv.Key] = kv.Value;
        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var settings = BillingSettings.From(builder.Configuration);
        builder.UseOrleans(silo => silo.AddBillingSilo(settings, builder.Configuration));
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _host.StopAsync(cts.Token); }
        finally { _host.Dispose(); }
    }
}
