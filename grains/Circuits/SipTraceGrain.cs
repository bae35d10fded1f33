using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Microsoft.Extensions.Logging;

namespace Billing.Grains.Circuits;

/// <summary>
/// SIP Trace of one circuit (key <c>trace:&lt;account&gt;</c>): the switch (a row of <c>sip_trace_circuits</c>) and the
/// messages (<c>sip_traces</c>), each batch appended and pruned to the bounds in one round trip. Not reentrant: the
/// batches of a circuit are written one after the other, and a batch that arrives after tracing was switched off is
/// dropped.
/// </summary>
public sealed class SipTraceGrain(SipTraceStore store, TimeProvider clock, ILogger<SipTraceGrain> log) : Grain, ISipTraceGrain
{
    private string _account = "";
    private SipTraceStatus _status = null!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _account = key.StartsWith(SipTraceKeys.Trace(""), StringComparison.Ordinal) ? key[SipTraceKeys.Trace("").Length..] : key;
        _status = await store.LoadStatusAsync(_account, cancellationToken);
    }

    public Task<SipTraceStatus> Get() => Task.FromResult(_status);

    public async Task<SipTraceStatus> SetEnabled(bool enabled, string actor)
    {
        if (enabled != _status.Enabled)
        {
            var now = clock.GetUtcNow();
            await store.SetAsync(_account, enabled, actor, now, _status.Enabled);
            _status = enabled ? new SipTraceStatus(_account, true, now, actor) : new SipTraceStatus(_account, false, null, null);
        }
        // also when unchanged: a directory that missed the last change (its silo died in between) catches up
        await GrainFactory.SipTraceDirectory().Set(_account, enabled);
        return _status;
    }

    public async Task Append(ImmutableArray<SipTraceMessage> messages)
    {
        if (!_status.Enabled || messages.IsDefaultOrEmpty) return;
        var now = clock.GetUtcNow();
        var cutoff = SipTraceBounds.Cutoff(now);
        var kept = messages.Select(m => SipTraceBounds.Clean(m, now)).Where(m => m.At >= cutoff).ToList();
        if (kept.Count == 0) return;
        await store.AppendAsync(_account, kept, cutoff);
        log.LogDebug("SIP trace de {Account}: {Count} mensagens gravadas", _account, kept.Count);
    }

    public Task Prune() => store.PruneAsync(_account, SipTraceBounds.Cutoff(clock.GetUtcNow()));
}
