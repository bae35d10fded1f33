using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Platform;

namespace Billing.Api.Apis;

/// <summary>Operator-facing information about the cluster itself.</summary>
public static class SystemApi
{
    public static IEndpointRouteBuilder MapSystemApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/system").WithTags("Sistema");
        group.MapGet("/whoami", (HttpContext http) => TypedResults.Ok(new
        {
            name = http.User.Identity?.Name,
            roles = http.User.Claims.Where(c => c.Type == System.Security.Claims.ClaimTypes.Role).Select(c => c.Value),
        })).RequireAuthorization(Policies.AdminOrSwitch);
        group.MapGet("/ping", async (IClusterClient cluster) =>
            TypedResults.Ok(new { silo = await cluster.GetGrain<IPingGrain>(0).Ping() }))
            .RequireAuthorization(Policies.Admin);
        return app;
    }
}
