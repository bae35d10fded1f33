using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace Billing.Api.Hosting;

/// <summary>
/// <c>/metrics</c> (OpenTelemetry meters in Prometheus text) and <c>/dashboard</c> (Orleans Dashboard hosted by
/// this API as an Orleans client; the silos run the dashboard's silo part, see SiloObservability).
/// </summary>
public static class ApiObservability
{
    public const string DashboardPolicy = "dashboard";
    public const string DashboardPath = "/dashboard";
    public const string MetricsPath = "/metrics";

    /// <summary>Meters exported by the API: its call counters and the Orleans client's own.</summary>
    public static readonly string[] Meters = [CallMetrics.MeterName, "Microsoft.Orleans"];

    public static IServiceCollection AddBillingObservability(this IServiceCollection services)
    {
        services.AddSingleton<CallMetrics>();
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(Meters).AddPrometheusExporter());
        services.AddAuthentication()
            .AddScheme<BillingKeyOptions, DashboardAuthHandler>(DashboardAuthHandler.SchemeName, _ => { });
        services.AddSingleton<IAuthorizationHandler, LoopbackOrAdminRequirement>();
        services.AddAuthorizationBuilder()
            .AddPolicy(DashboardPolicy, p => p.AddAuthenticationSchemes(DashboardAuthHandler.SchemeName).RequireRole(Roles.Admin))
            .AddPolicy(LoopbackOrAdminRequirement.Policy, p => p.AddRequirements(new LoopbackOrAdminRequirement()));
        return services;
    }

    public static IClientBuilder AddBillingDashboard(this IClientBuilder client) =>
        client.AddDashboard(o => o.HideTrace = true);

    public static IEndpointRouteBuilder MapBillingObservability(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(LoopbackOrAdminRequirement.Policy);
        app.MapOrleansDashboard(DashboardPath).RequireAuthorization(DashboardPolicy).ExcludeFromDescription();
        return app;
    }
}
