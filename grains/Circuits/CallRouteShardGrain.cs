using Billing.GrainInterfaces.Circuits;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Billing.Grains.Circuits;

/// <summary>
/// One shard of the call id → account map used by extend/complete: a fixed number of these replace an
/// activation per call. In memory; a route lost with its silo is found again from the durable holds (a call in
/// progress) or the ledger (a settled call). A timer (on the injected clock) prunes expired routes.
/// Reentrant: Authorize/Complete await the circuit (a complete waits for its ledger commit) and must not hold up
/// the shard's other calls; every dictionary operation runs whole between those awaits.
/// </summary>
[KeepAlive] // never collected for idleness: the routes exist only in this activation
[Reentrant]
public sealed class CallRouteShardGrain(TimeProvider clock, IOptions<CallOptions> options, ILedger ledger, ILogger<CallRouteShardGrain> log)
    : Grain, ICallRouteShardGrain
{
    private readonly record struct Entry(string Account, DateTimeOffset ExpiresAt, bool Completed);

    private readonly CallOptions _opt = options.Value;
    private readonly Dictionary<string, Entry> _routes = new(StringComparer.Ordinal);

    private DateTimeOffset Now => clock.GetUtcNow();
    private TimeSpan Ttl => TimeSpan.FromSeconds(Math.Max(1, _opt.RouteTtlSeconds));
    private TimeSpan KeepAfterComplete => TimeSpan.FromSeconds(Math.Max(0, _opt.RouteKeepAfterCompleteSeconds));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var shard = this.GetPrimaryKeyLong();
        if (shard < 0 || shard >= _opt.RouteShards)
            log.LogWarning("Shard de rotas {Shard} fora de 0..{Count}: API e silo discordam de {Key}?", shard, _opt.RouteShards - 1, CallRoutes.ConfigKey);
        var tick = TimeSpan.FromSeconds(Math.Max(1, _opt.RoutePruneSeconds));
        this.RegisterGrainTimer(PruneAsync, new GrainTimerCreationOptions(tick, tick) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public Task<string?> GetAccount(string callId) => Task.FromResult(Find(callId)?.Account);

    public async Task<ExtendResult?> Extend(string callId)
    {
        if ((Find(callId) ?? await RecoverAsync(callId, settled: false)) is not { } e) return null;
        if (!e.Completed) _routes[callId] = e with { ExpiresAt = Now + Ttl };
        return await GrainFactory.Circuit(e.Account).Extend(callId);
    }

    public Task Completed(string callId)
    {
        Shorten(callId);
        return Task.CompletedTask;
    }

    /// <summary>The call ended: its route lives only <see cref="CallOptions.RouteKeepAfterCompleteSeconds"/> more.</summary>
    private void Shorten(string callId)
    {
        if (Find(callId) is { } e)
        {
            var until = Now + KeepAfterComplete;
            _routes[callId] = e with { ExpiresAt = until < e.ExpiresAt ? until : e.ExpiresAt, Completed = true };
        }
    }

    public async Task<AuthorizeResult> Authorize(string account, AuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // one call id, one circuit: a switch that reuses the id of another circuit's call gets a conflict, and that
        // call's route (its extends and completes) stays where it is
        if (Find(request.CallId) is { } other && !string.Equals(other.Account, account, StringComparison.Ordinal))
            return AuthorizeResult.InUse(other.Account);
        _routes[request.CallId] = new Entry(account, Now + Ttl, false);
        var result = await GrainFactory.Circuit(account).Authorize(request);
        if (!result.Allowed) Shorten(request.CallId); // a refused call needs its route only briefly
        return result;
    }

    public async Task<RoutedComplete?> Complete(CompleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((Find(request.CallId) ?? await RecoverAsync(request.CallId, settled: true)) is not { } route) return null;
        var result = await GrainFactory.Circuit(route.Account).Complete(request);
        if (result.Status is CompleteStatus.Rated or CompleteStatus.Duplicate) Shorten(request.CallId);
        return new RoutedComplete(route.Account, result);
    }

    public Task<int> Count() => Task.FromResult(_routes.Count);

    /// <summary>
    /// The route of a call this shard does not know (its silo died, or the call is older than the route's life):
    /// the circuit holding its credit, or, for a complete, the circuit the ledger billed it to. Found inside the
    /// cluster, once, and remembered as a route again.
    /// </summary>
    private async Task<Entry?> RecoverAsync(string callId, bool settled)
    {
        var now = Now;
        var account = await ledger.FindHoldAccountAsync(callId, now);
        if (account is null && settled) account = (await ledger.FindCallAsync(callId))?.Account;
        if (account is null) return null;
        if (Find(callId) is { } meanwhile) return meanwhile;
        var e = new Entry(account, now + Ttl, false);
        _routes[callId] = e;
        return e;
    }

    /// <summary>The live route of the call; an expired one not yet pruned counts as gone.</summary>
    private Entry? Find(string callId) =>
        _routes.TryGetValue(callId, out var e) && e.ExpiresAt > Now ? e : null;

    private Task PruneAsync(CancellationToken ct)
    {
        var now = Now;
        List<string>? expired = null;
        foreach (var (id, e) in _routes)
            if (e.ExpiresAt <= now) (expired ??= []).Add(id);
        if (expired is not null)
            foreach (var id in expired) _routes.Remove(id);
        return Task.CompletedTask;
    }
}
