using Billing.GrainInterfaces.Circuits;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Billing.Silo.Switch;

/// <summary>
/// Runs the evapi connector in the silo for the endpoints of <c>BILLING_SWITCH_EVAPI</c> (none: nothing runs). It
/// starts connecting once the host has started (the silo is in the cluster), so the first event finds grains to call.
/// </summary>
public sealed class EvapiHostedService(IConfiguration configuration, IServiceProvider services, IHostApplicationLifetime lifetime,
    ILogger<EvapiHostedService> log) : IHostedService, IAsyncDisposable
{
    private readonly IReadOnlyList<EvapiEndpoint> _endpoints = EvapiEndpoint.ParseList(configuration[EvapiEndpoint.ConfigKey]);
    private EvapiConnector? _connector;
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_endpoints.Count == 0) return Task.CompletedTask;
        _started = lifetime.ApplicationStarted.Register(() =>
        {
            _connector = services.CreateEvapiConnector(_endpoints);
            _connector.Start();
            log.LogInformation("evapi: conectando a {Endpoints}", string.Join(", ", _endpoints));
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync();
        if (_connector is { } c) await c.DisposeAsync();
        _connector = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _started.DisposeAsync();
        if (_connector is { } c) await c.DisposeAsync();
    }
}

public static class EvapiServices
{
    /// <summary>The switch hot path and the evapi connector's parts, in a silo's services.</summary>
    public static IServiceCollection AddEvapi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => new SwitchCalls(sp.GetRequiredService<IGrainFactory>(), SwitchCalls.ShardsFrom(configuration),
            sp.GetRequiredService<ILogger<SwitchCalls>>()));
        services.AddSingleton(new SipTraceRelayOptions());
        services.AddSingleton<SipTraceRelay>();
        services.AddSingleton<EvapiProtocol>();
        services.AddSingleton(new EvapiOptions());
        services.AddHostedService<EvapiHostedService>();
        return services;
    }

    /// <summary>A connector (not started) for <paramref name="endpoints"/>; tests start one against their fake Kamailio.</summary>
    public static EvapiConnector CreateEvapiConnector(this IServiceProvider services, IReadOnlyList<EvapiEndpoint> endpoints,
        EvapiOptions? options = null) =>
        new(endpoints, services.GetRequiredService<EvapiProtocol>(), options ?? services.GetRequiredService<EvapiOptions>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<EvapiConnector>>(),
            services.GetService<SipTraceRelay>());
}
