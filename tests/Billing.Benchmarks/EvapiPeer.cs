using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Billing.Silo.Switch;

namespace Billing.Benchmarks;

/// <summary>
/// Plays Kamailio's evapi module for <c>./deploy/bench.sh switch</c>: listens on loopback, accepts the silo's connector
/// (the first connection), and pipelines netstring-framed JSON events on it: any number in flight, answers matched by
/// their numeric <c>id</c> (they come back out of order). One writer loop batches the frames ready, one reader loop
/// completes the waiting callers.
/// </summary>
public sealed class EvapiPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _waiting = new();
    private readonly Channel<byte[]> _out = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private TcpClient? _client;
    private Task _loops = Task.CompletedTask;
    private long _nextId;

    public EvapiPeer() => _listener.Start();

    /// <summary>The <c>host:port</c> to put in <c>BILLING_SWITCH_EVAPI</c>.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Accepts the connector's connection (call before the silo starts; it connects once the host has started).</summary>
    public void Start() => _loops = AcceptAsync();

    public Task ConnectedAsync(TimeSpan timeout) => _connected.Task.WaitAsync(timeout);

    private async Task AcceptAsync()
    {
        _client = await _listener.AcceptTcpClientAsync(_stop.Token);
        _client.NoDelay = true;
        var stream = _client.GetStream();
        _connected.TrySetResult();
        await Task.WhenAll(ReadAsync(stream), WriteAsync(stream));
    }

    /// <summary>Sends the event <paramref name="json"/> builds for its id and returns the answer (JSON bytes).</summary>
    public Task<byte[]> AskAsync(Func<long, string> json)
    {
        var id = Interlocked.Increment(ref _nextId);
        // continuations run inline on the reader loop: they only record a latency and queue the next event
        var tcs = new TaskCompletionSource<byte[]>();
        _waiting[id] = tcs;
        _out.Writer.TryWrite(Netstring.Encode(Encoding.UTF8.GetBytes(json(id))));
        return tcs.Task;
    }

    private async Task WriteAsync(NetworkStream stream)
    {
        var batch = new MemoryStream();
        try
        {
            while (await _out.Reader.WaitToReadAsync(_stop.Token))
            {
                batch.SetLength(0);
                while (batch.Length < 64 * 1024 && _out.Reader.TryRead(out var frame)) batch.Write(frame);
                await stream.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            FailAll(e);
        }
    }

    private async Task ReadAsync(NetworkStream stream)
    {
        var decoder = new NetstringDecoder();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) throw new IOException("o conector fechou a conexão evapi");
                decoder.Append(buffer.AsSpan(0, n));
                while (decoder.TryRead(out var payload, out _) == NetstringRead.Frame)
                {
                    if (IdOf(payload) is { } id && _waiting.TryRemove(id, out var tcs)) tcs.TrySetResult(payload);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            FailAll(e);
        }
    }

    private void FailAll(Exception e)
    {
        foreach (var id in _waiting.Keys)
            if (_waiting.TryRemove(id, out var tcs)) tcs.TrySetException(new IOException("evapi: " + e.Message, e));
    }

    /// <summary>The top-level numeric <c>id</c> of an answer.</summary>
    private static long? IdOf(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="answer"/> has <c>"name":true</c>.</summary>
    /// <remarks>The connector's Utf8JsonWriter writes no spaces, so a byte search is enough (and costs no parse).</remarks>
    public static bool IsTrue(byte[] answer, string name) =>
        answer.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"\"{name}\":true")) >= 0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _out.Writer.TryComplete();
        _listener.Stop();
        _client?.Dispose();
        try { await _loops; } catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        _listener.Dispose();
        _stop.Dispose();
    }
}
