using Billing.GrainInterfaces.Circuits;

namespace Billing.Api.Infrastructure;

/// <summary>
/// The API's side of the call routes: which shard grain holds a call id (count from
/// <c>Billing:Calls:RouteShards</c>, the same key and default the silos read).
/// </summary>
public sealed class CallRouter(IClusterClient cluster, IConfiguration configuration, ILogger<CallRouter> log)
{
    private readonly int _shards = configuration.GetValue<int?>(CallRoutes.ConfigKey) is { } n and > 0 ? n : CallRoutes.DefaultShards;

    public ICallRouteShardGrain For(string callId) => cluster.RouteShard(callId, _shards);

    /// <summary>
    /// Tells the shard that an authorized call ended through a complete that named its account (route-found completes
    /// and refused authorizes are shortened by the shard itself), without holding up the switch's answer; a failure
    /// only makes the route live until its TTL, so it is logged, not raised.
    /// </summary>
    public void Completed(string callId) => _ = CompletedAsync(callId);

    private async Task CompletedAsync(string callId)
    {
        try
        {
            await For(callId).Completed(callId);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Rota da chamada {CallId}: aviso de complete não entregue (a rota expira pelo TTL)", callId);
        }
    }
}
