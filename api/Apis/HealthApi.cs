using System.Text.Json;
using Billing.GrainInterfaces.Platform;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Billing.Api.Apis;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (database and cluster answer).</summary>
public static class HealthApi
{
    public static IServiceCollection AddBillingHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = Write,
        }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = Write,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// The answer: status per check and its description. A check that threw gets a fixed sentence instead of its
    /// description (the health service puts the exception message there); the exception itself is logged.
    /// </summary>
    internal static Task Write(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status == HealthStatus.Healthy ? "healthy" : "unhealthy",
                    detail = e.Value.Exception is null ? e.Value.Description : "falhou (detalhes no log do servidor)",
                }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }
}

/// <summary>
/// Readiness of PostgreSQL. <c>/health/ready</c> is anonymous (load balancers, Kubernetes), so a failure answers a fixed
/// pt-BR sentence; the exception (host names, ports, server messages) goes to the log only.
/// </summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource db, ILogger<DatabaseHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var cmd = db.CreateCommand("SELECT count(*) FROM schema_migrations");
            var n = await cmd.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy($"PostgreSQL responde; {n} migrações aplicadas");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException)
        {
            log.LogWarning(e, "Health check: PostgreSQL não responde");
            return HealthCheckResult.Unhealthy("PostgreSQL não responde.");
        }
    }
}

/// <summary>Readiness of the Orleans cluster (a silo answers a ping); like the database check, exception text only in the log.</summary>
public sealed class ClusterHealthCheck(IClusterClient cluster, ILogger<ClusterHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var silo = await cluster.GetGrain<IPingGrain>(0).Ping().WaitAsync(TimeSpan.FromSeconds(3), ct);
            return HealthCheckResult.Healthy($"cluster responde (silo {silo})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Health check: cluster não responde");
            return HealthCheckResult.Unhealthy("cluster não responde.");
        }
    }
}
