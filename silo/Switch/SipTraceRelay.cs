using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using System.Threading.Channels;
using Billing.GrainInterfaces.Circuits;
using Microsoft.Extensions.Logging;

namespace Billing.Silo.Switch;

/// <summary>Frames the cluster sends Kamailio on its own (not answers): written to every evapi connection.</summary>
public interface IEvapiPublisher
{
    /// <summary>
    /// A connection is up: <paramref name="send"/> gets at once what Kamailio must know (in order), then every later
    /// frame until the returned handle is disposed.
    /// </summary>
    IDisposable Attach(Action<byte[]> send);
}

/// <summary>Timings of the SIP trace relay (README "SIP Trace").</summary>
public sealed record SipTraceRelayOptions
{
    /// <summary>How often the set of traced circuits is asked of the directory grain (one small grain call).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often every traced circuit is told again (Kamailio's htable entries expire after 300 s without it).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long messages gather before a flush (one grain call and one INSERT per traced circuit per flush).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Messages waiting at most; above it new ones are dropped (and counted) rather than slow the connector.</summary>
    public int MaxQueued { get; init; } = 20_000;
}

/// <summary>
/// The cluster's half of SIP Trace in a silo. Outbound: tells every evapi connection of this silo which circuits are
/// traced (<c>{"event":"trace","account":…,"enabled":…}</c>: the whole set on connect and every
/// <see cref="SipTraceRelayOptions.RefreshInterval"/>, each change within <see cref="SipTraceRelayOptions.PollInterval"/>
/// of it). Inbound: the <c>sip</c> events Kamailio sends are queued without waiting and written in batches, grouped by
/// circuit, through the circuit's <see cref="ISipTraceGrain"/>. Nothing starts until the first connection.
/// </summary>
public sealed class SipTraceRelay(IGrainFactory grains, SipTraceRelayOptions options, TimeProvider clock, ILogger<SipTraceRelay> log)
    : IEvapiPublisher, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Action<byte[]>> _connections = [];
    private readonly Channel<(string Account, SipTraceMessage Message)> _queue =
        Channel.CreateBounded<(string, SipTraceMessage)>(new BoundedChannelOptions(options.MaxQueued)
        {
            FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
        });
    private readonly CancellationTokenSource _stop = new();
    private ImmutableHashSet<string> _traced = ImmutableHashSet.Create<string>(StringComparer.Ordinal);
    private Guid _epoch;
    private long _version = -1;
    private long _dropped;
    private long _written;
    private Task? _loops;

    /// <summary>Circuits this silo has told Kamailio to trace.</summary>
    public ImmutableHashSet<string> Traced => Volatile.Read(ref _traced);

    /// <summary>Messages stored so far / dropped because the queue was full or the write failed.</summary>
    public long Written => Interlocked.Read(ref _written);

    public long Dropped => Interlocked.Read(ref _dropped);

    public IDisposable Attach(Action<byte[]> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        lock (_gate)
        {
            foreach (var account in _traced) send(Frame(account, true));
            _connections.Add(send);
            _loops ??= Task.WhenAll(Task.Run(() => PollAsync(_stop.Token)), Task.Run(() => FlushAsync(_stop.Token)));
        }
        return new Detach(this, send);
    }

    private sealed class Detach(SipTraceRelay relay, Action<byte[]> send) : IDisposable
    {
        public void Dispose()
        {
            lock (relay._gate) relay._connections.Remove(send);
        }
    }

    /// <summary>A <c>sip</c> event: queued, never awaited (tracing must not hold the connector's other events).</summary>
    public void Accept(string account, SipTraceMessage message)
    {
        if (!_queue.Writer.TryWrite((account, message))) Interlocked.Increment(ref _dropped);
    }

    /// <summary>The frame that switches tracing of <paramref name="account"/> on or off in Kamailio.</summary>
    public static byte[] Frame(string account, bool enabled)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event", "trace");
            w.WriteString("account", account);
            w.WriteBoolean("enabled", enabled);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private void Broadcast(IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
            foreach (var send in _connections) send(frame);
    }

    private async Task PollAsync(CancellationToken stop)
    {
        var lastRefresh = clock.GetUtcNow();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await grains.SipTraceDirectory().GetIfChanged(_epoch, _version) is { } set)
                {
                    var next = ImmutableHashSet.CreateRange(StringComparer.Ordinal, set.Accounts);
                    lock (_gate)
                    {
                        Broadcast(next.Except(_traced).Select(a => Frame(a, true))
                            .Concat(_traced.Except(next).Select(a => Frame(a, false))).ToList());
                        _traced = next;
                        _epoch = set.Epoch;
                        _version = set.Version;
                    }
                }
                if (clock.GetUtcNow() - lastRefresh >= options.RefreshInterval)
                {
                    lastRefresh = clock.GetUtcNow();
                    lock (_gate) Broadcast(_traced.Select(a => Frame(a, true)).ToList());
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // the directory's silo may be gone for a moment: Kamailio keeps what it was told
                log.LogWarning("SIP trace: diretório indisponível: {Error}", e.Message);
            }
            try
            {
                await Task.Delay(options.PollInterval, clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FlushAsync(CancellationToken stop)
    {
        var reader = _queue.Reader;
        var batch = new Dictionary<string, List<SipTraceMessage>>(StringComparer.Ordinal);
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                // let a call's messages gather: one grain call and one INSERT per circuit per flush
                await Task.Delay(options.FlushInterval, clock, stop);
                batch.Clear();
                var count = 0;
                while (count < 5000 && reader.TryRead(out var item))
                {
                    if (!batch.TryGetValue(item.Account, out var list)) batch[item.Account] = list = [];
                    list.Add(item.Message);
                    count++;
                }
                await Task.WhenAll(batch.Select(kv => WriteAsync(kv.Key, [.. kv.Value])));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(string account, ImmutableArray<SipTraceMessage> messages)
    {
        try
        {
            await grains.SipTrace(account).Append(messages);
            Interlocked.Add(ref _written, messages.Length);
        }
        catch (Exception e)
        {
            Interlocked.Add(ref _dropped, messages.Length);
            log.LogWarning(e, "SIP trace: {Count} mensagens de {Account} não gravadas", messages.Length, account);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loops is { } loops)
        {
            try { await loops; } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
