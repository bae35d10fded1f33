using System.Text;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// Where a call's route (call id → circuit account) lives: one of a fixed number of
/// <see cref="ICallRouteShardGrain"/>s, chosen by a stable hash of the call id. The API and the silos
/// must agree on the count (<see cref="ConfigKey"/>, default <see cref="DefaultShards"/>).
/// </summary>
public static class CallRoutes
{
    /// <summary>Configuration key of the shard count, read by the API and the silos alike.</summary>
    public const string ConfigKey = "Billing:Calls:RouteShards";

    public const int DefaultShards = 64;

    /// <summary>
    /// The shard of <paramref name="callId"/>: FNV-1a (32 bits) over its UTF-8 bytes, modulo <paramref name="count"/>.
    /// Stable across processes and releases (never <see cref="string.GetHashCode()"/>, which is randomized per process):
    /// changing it would strand the routes of calls in progress during a rolling deploy.
    /// </summary>
    public static int Shard(string callId, int count)
    {
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var max = Encoding.UTF8.GetMaxByteCount(callId.Length);
        Span<byte> bytes = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(callId, bytes);
        var hash = 2166136261u;
        foreach (var b in bytes[..n])
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % (uint)count);
    }

    /// <summary>The shard grain that holds the route of <paramref name="callId"/>.</summary>
    public static ICallRouteShardGrain RouteShard(this IGrainFactory grains, string callId, int count) =>
        grains.GetGrain<ICallRouteShardGrain>(Shard(callId, count));
}

/// <summary>
/// Remembers which circuit a call belongs to, so that extend/complete, which carry only the call id, reach
/// the circuit that authorized it. One grain per shard (key 0..count-1, see <see cref="CallRoutes.Shard"/>),
/// in memory: a silo that dies loses its routes, and the shard finds them again inside the cluster (the call's
/// durable credit hold, or its ledger row), so extend and complete work with or without the account.
/// </summary>
[Alias("Billing.ICallRouteShardGrain")]
public interface ICallRouteShardGrain : IGrainWithIntegerKey
{
    /// <summary>The call's account, or null; does not extend the route's life.</summary>
    [Alias("GetAccount"), Orleans.Concurrency.ReadOnly]
    Task<string?> GetAccount(string callId);

    /// <summary>
    /// Extend, in one hop from the API: the circuit on the call's route grants the next chunk, and a call still in
    /// progress gets a fresh route TTL. Null when this shard has no route for the call.
    /// </summary>
    [Alias("Extend")]
    Task<ExtendResult?> Extend(string callId);

    /// <summary>
    /// The call ended (complete succeeded, or authorize refused it): keep the route only a short while more, for
    /// retried completes. A later <see cref="Authorize"/> gives it a full life again.
    /// </summary>
    [Alias("Completed"), Orleans.Concurrency.OneWay]
    Task Completed(string callId);

    /// <summary>
    /// Binds the call to <paramref name="account"/> and asks that circuit to authorize it, in one hop from the API
    /// (the shard calls the circuit inside the cluster). A refused call keeps its route only briefly.
    /// </summary>
    [Alias("Authorize")]
    Task<AuthorizeResult> Authorize(string account, AuthorizeRequest request);

    /// <summary>
    /// Completes the call on the circuit its route names, in one hop from the API, and shortens the route as
    /// <see cref="Completed"/> does. Null when this shard has no route for the call.
    /// </summary>
    [Alias("Complete")]
    Task<RoutedComplete?> Complete(CompleteRequest request);

    /// <summary>Routes this shard holds, expired ones not yet pruned included (diagnostics).</summary>
    [Alias("Count"), Orleans.Concurrency.ReadOnly]
    Task<int> Count();
}

/// <summary>A complete answered through a call route: the circuit the route named and its answer.</summary>
[GenerateSerializer, Immutable, Alias("Billing.RoutedComplete")]
public sealed record RoutedComplete([property: Id(0)] string Account, [property: Id(1)] CompleteResult Result);
