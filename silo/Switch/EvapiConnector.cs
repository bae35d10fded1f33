using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Billing.Silo.Switch;

/// <summary>One Kamailio evapi endpoint (<c>host:port</c>).</summary>
public sealed record EvapiEndpoint(string Host, int Port)
{
    public const string ConfigKey = "BILLING_SWITCH_EVAPI";

    /// <summary>
    /// The comma-separated <c>host:port</c> list of <see cref="ConfigKey"/>; empty or unset → none (connector off).
    /// An invalid entry throws: a silo that would silently not bill a switch must not start.
    /// </summary>
    public static IReadOnlyList<EvapiEndpoint> ParseList(string? value)
    {
        var list = new List<EvapiEndpoint>();
        if (string.IsNullOrWhiteSpace(value)) return list;
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(raw.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
                throw new FormatException($"{ConfigKey}: '{raw}' não é host:porta.");
            var host = raw[..colon].Trim('[', ']');
            if (host.Length == 0) throw new FormatException($"{ConfigKey}: '{raw}' não tem host.");
            list.Add(new EvapiEndpoint(host, port));
        }
        return list;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}

/// <summary>Reconnection backoff and per-connection limits of the evapi connector.</summary>
public sealed record EvapiOptions
{
    /// <summary>First wait after a failed connect or a dropped connection; doubles per failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Events processed at once per connection; reading pauses above it (backpressure on Kamailio).</summary>
    public int MaxInFlight { get; init; } = 4096;

    /// <summary>
    /// The wait before reconnect attempt <paramref name="failures"/> (1 = first): exponential, capped, with "equal
    /// jitter" (between half and all of it) so silos restarted together do not reconnect in lockstep.
    /// </summary>
    public TimeSpan Backoff(int failures, double jitter01)
    {
        var exp = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(exp, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + capped / 2 * Math.Clamp(jitter01, 0, 1));
    }
}

/// <summary>
/// The cluster's side of Kamailio's evapi: a persistent TCP connection to every endpoint, reconnecting with backoff.
/// Each netstring frame read is handled concurrently (<see cref="EvapiProtocol"/>); answers leave through one writer
/// per connection, in the order they are ready (out of order with respect to the events: evapi matches them by
/// tindex/tlabel, the protocol by id). The same writer carries the frames of an <see cref="IEvapiPublisher"/> (SIP trace).
/// </summary>
public sealed class EvapiConnector(IReadOnlyList<EvapiEndpoint> endpoints, IEvapiHandler protocol, EvapiOptions options,
    TimeProvider clock, ILogger<EvapiConnector> log, IEvapiPublisher? publisher = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _connected;
    private long _connections;

    /// <summary>Connections up now.</summary>
    public int Connected => Volatile.Read(ref _connected);

    /// <summary>Connections established since start (a reconnect counts again).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public IReadOnlyList<EvapiEndpoint> Endpoints => endpoints;

    public void Start()
    {
        foreach (var endpoint in endpoints)
            _loops.Add(Task.Run(() => RunAsync(endpoint, _stop.Token)));
    }

    private async Task RunAsync(EvapiEndpoint endpoint, CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var established = false;
            try
            {
                using var tcp = new TcpClient { NoDelay = true };
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    connectTimeout.CancelAfter(options.ConnectTimeout);
                    await tcp.ConnectAsync(endpoint.Host, endpoint.Port, connectTimeout.Token);
                }
                established = true;
                failures = 0;
                Interlocked.Increment(ref _connections);
                Interlocked.Increment(ref _connected);
                log.LogInformation("evapi: conectado a {Endpoint}", endpoint);
                try
                {
                    await SessionAsync(tcp.GetStream(), endpoint, stop);
                }
                finally
                {
                    Interlocked.Decrement(ref _connected);
                }
                log.LogWarning("evapi: {Endpoint} fechou a conexão", endpoint);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                if (established) log.LogWarning(e, "evapi: conexão com {Endpoint} caiu", endpoint);
                else log.LogWarning("evapi: sem conexão com {Endpoint}: {Error}", endpoint, e.Message);
            }
            failures++;
            var wait = options.Backoff(failures, RandomNumberGenerator.GetInt32(0, 1_000_001) / 1_000_000.0);
            try
            {
                await Task.Delay(wait, clock, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SessionAsync(NetworkStream stream, EvapiEndpoint endpoint, CancellationToken stop)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var answers = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        var writer = WriteAsync(stream, answers.Reader, session.Token);
        // what Kamailio must know from the cluster (the traced circuits) goes out first, then each change
        using var published = publisher?.Attach(frame => answers.Writer.TryWrite(Netstring.Encode(frame)));
        using var inFlight = new SemaphoreSlim(options.MaxInFlight);
        var decoder = new NetstringDecoder();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, session.Token);
                if (n == 0) return;
                decoder.Append(buffer.AsSpan(0, n));
                while (true)
                {
                    var read = decoder.TryRead(out var frame, out var error);
                    if (read == NetstringRead.NeedMore) break;
                    if (read == NetstringRead.Error)
                    {
                        log.LogWarning("evapi: {Endpoint}: {Error}", endpoint, error);
                        continue;
                    }
                    await inFlight.WaitAsync(session.Token);
                    _ = HandleAsync(frame, answers.Writer, inFlight);
                }
                if (writer.IsCompleted) await writer; // a write failed: surface it
            }
        }
        finally
        {
            answers.Writer.TryComplete();
            await session.CancelAsync();
            try { await writer; } catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }
    }

    private async Task HandleAsync(byte[] frame, ChannelWriter<byte[]> answers, SemaphoreSlim inFlight)
    {
        try
        {
            // off the read loop: every event runs concurrently with the others of its connection
            await Task.Yield();
            if (await protocol.HandleAsync(frame) is { } answer) answers.TryWrite(Netstring.Encode(answer));
        }
        catch (Exception e)
        {
            log.LogError(e, "evapi: evento não processado");
        }
        finally
        {
            try { inFlight.Release(); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>The one writer of a connection: writes every answer ready, then flushes once.</summary>
    private static async Task WriteAsync(NetworkStream stream, ChannelReader<byte[]> answers, CancellationToken token)
    {
        var batch = new MemoryStream();
        while (await answers.WaitToReadAsync(token))
        {
            batch.SetLength(0);
            while (batch.Length < 64 * 1024 && answers.TryRead(out var frame)) batch.Write(frame);
            await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await Task.WhenAll(_loops); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
