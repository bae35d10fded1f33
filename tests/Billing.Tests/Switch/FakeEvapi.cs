using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Billing.Silo.Switch;

namespace Billing.Tests.Switch;

/// <summary>
/// Plays Kamailio's evapi module: listens on loopback, accepts the connector, sends netstring-framed JSON events and
/// collects the answers by their <c>id</c>.
/// </summary>
public sealed class FakeEvapi : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _waiting = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Task _accept;
    private TaskCompletionSource<TcpClient> _client = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _accepted;

    public FakeEvapi()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public EvapiEndpoint Endpoint => new("127.0.0.1", ((IPEndPoint)_listener.LocalEndpoint).Port);

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Answers that carried no id or an id nobody waits for.</summary>
    public ConcurrentQueue<JsonElement> Unmatched { get; } = new();

    /// <summary>What the cluster sent on its own (SIP trace switches: <c>"event":"trace"</c>), not answers.</summary>
    public ConcurrentQueue<JsonElement> Published { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _client.TrySetResult(client);
                _ = ReadAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReadAsync(TcpClient client)
    {
        var decoder = new NetstringDecoder();
        var buffer = new byte[16 * 1024];
        try
        {
            var stream = client.GetStream();
            while (true)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) return;
                decoder.Append(buffer.AsSpan(0, n));
                while (decoder.TryRead(out var payload, out _) == NetstringRead.Frame)
                {
                    var answer = JsonDocument.Parse(payload).RootElement.Clone();
                    if (answer.TryGetProperty("id", out var id) && _waiting.TryRemove(id.ToString(), out var tcs)) tcs.TrySetResult(answer);
                    else if (answer.TryGetProperty("event", out var ev) && ev.ValueKind == JsonValueKind.String && ev.ValueEquals("trace")) Published.Enqueue(answer);
                    else Unmatched.Enqueue(answer);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits for the connector's connection (the current one).</summary>
    public async Task<TcpClient> ConnectedAsync(TimeSpan? timeout = null) =>
        await _client.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    /// <summary>Drops the current connection (a Kamailio restart); the next accepted one becomes current.</summary>
    public async Task DropAsync()
    {
        var client = await ConnectedAsync();
        _client = new TaskCompletionSource<TcpClient>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Client.Close(0);
        client.Dispose();
    }

    /// <summary>Sends raw bytes (already framed or not) on the current connection.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        var client = await ConnectedAsync();
        await _writeLock.WaitAsync();
        try
        {
            await client.GetStream().WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends one event (its <c>id</c> must be set) and waits for the answer with that id.</summary>
    public async Task<JsonElement> AskAsync(object @event, string id, TimeSpan? timeout = null)
    {
        var tcs = _waiting.GetOrAdd(id, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        await SendRawAsync(Netstring.Encode(JsonSerializer.SerializeToUtf8Bytes(@event)));
        return await tcs.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends an already serialized event (e.g. broken JSON) and waits for the answer with <paramref name="id"/>.</summary>
    public async Task<JsonElement> AskRawAsync(string json, string id, TimeSpan? timeout = null)
    {
        var tcs = _waiting.GetOrAdd(id, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        await SendRawAsync(Netstring.Encode(Encoding.UTF8.GetBytes(json)));
        return await tcs.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_client.Task.IsCompletedSuccessfully) _client.Task.Result.Dispose();
        try { await _accept; } catch (OperationCanceledException) { }
        _stop.Dispose();
        _writeLock.Dispose();
        _listener.Dispose();
    }
}
