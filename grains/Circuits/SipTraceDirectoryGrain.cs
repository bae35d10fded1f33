using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Billing.Grains.Circuits;

/// <summary>
/// The set of traced circuits every silo's evapi connector polls (<see cref="ISipTraceDirectoryGrain"/>). In memory;
/// its epoch is new at each activation so a connector that knew an older activation gets the whole set again.
/// Reentrant (every change is a synchronous block): its sweep awaits trace grains that may be calling <see cref="Set"/>.
/// </summary>
[Reentrant]
public sealed class SipTraceDirectoryGrain(SipTraceStore store, TimeProvider clock, ILogger<SipTraceDirectoryGrain> log)
    : Grain, ISipTraceDirectoryGrain
{
    private static readonly TimeSpan Sweep = TimeSpan.FromMinutes(1);
    private readonly Guid _epoch = Guid.NewGuid();
    private long _version = 1;
    private ImmutableSortedSet<string> _accounts = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _accounts = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, await store.EnabledAsync(cancellationToken));
        this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(Sweep, Sweep) { KeepAlive = false });
    }

    public Task<SipTraceSet?> GetIfChanged(Guid epoch, long version) =>
        Task.FromResult(epoch == _epoch && version == _version ? null : new SipTraceSet(_epoch, _version, [.. _accounts]));

    public Task Set(string account, bool enabled)
    {
        var next = enabled ? _accounts.Add(account) : _accounts.Remove(account);
        if (!ReferenceEquals(next, _accounts))
        {
            _accounts = next;
            _version++;
        }
        return Task.CompletedTask;
    }

    /// <summary>Re-reads the switches (a change whose notice was lost) and has stale messages pruned by their owners.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        try
        {
            var before = _version;
            var fresh = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, await store.EnabledAsync(ct));
            // a change that came in while reading is newer than what was read
            if (_version == before && !fresh.SetEquals(_accounts))
            {
                _accounts = fresh;
                _version++;
            }
            foreach (var account in await store.StaleAsync(SipTraceBounds.Cutoff(clock.GetUtcNow()), ct))
                await GrainFactory.SipTrace(account).Prune();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "SIP trace: varredura falhou; tenta de novo em {Sweep}", Sweep);
        }
    }
}
