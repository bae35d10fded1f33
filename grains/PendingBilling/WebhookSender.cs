using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Grains.PendingBilling;

/// <summary>Webhook delivery settings (section <c>Billing:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public bool Enabled { get; set; } = true;
    public int PollSeconds { get; set; } = 5;
    public int MaxAttempts { get; set; } = 10;
    public int TimeoutSeconds { get; set; } = 10;
}

/// <summary>Writes webhook events into the delivery outbox, in the caller's transaction (one row per subscribed endpoint).</summary>
public static class WebhookOutbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string type, object data, DateTimeOffset now)
    {
        var eventId = Guid.NewGuid();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, next_attempt_at, created_at)
            SELECT id, @e, @t, @p, @now, @now FROM webhook_endpoints WHERE active AND deleted_at IS NULL AND @t = ANY(events)
            """, conn, tx);
        cmd.Parameters.AddWithValue("e", eventId);
        cmd.Parameters.AddWithValue("t", type);
        cmd.Parameters.AddWithValue("p", JsonSerializer.Serialize(new { id = eventId, type, createdAt = now, data }, Json));
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// Posts due webhook deliveries, signed with HMAC-SHA256 of the body (secret per endpoint). Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c> (several silos share the work); a 2xx marks ENVIADO; anything else retries with
/// backoff (10 s, 20 s… 1 h) and becomes FALHOU after MaxAttempts. The event id is stable across retries, so a
/// delivery that succeeded but whose commit was lost is re-sent with the same id and the receiver drops it.
/// </summary>
public sealed class WebhookSender(NpgsqlDataSource db, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookSender> log)
    : BackgroundService
{
    private readonly WebhookOptions _o = options.Value;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(Math.Max(1, options.Value.TimeoutSeconds)),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_o.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Envio de webhooks falhou; tenta de novo");
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, _o.PollSeconds)), clock, stoppingToken);
        }
    }

    /// <summary>Posts (or reschedules) up to 10 due deliveries; returns how many it handled.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = new List<(long Id, Guid EventId, string Type, string Payload, int Attempts, string Url, string Secret)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT d.id, d.event_id, d.event_type, d.payload, d.attempts, e.url, e.secret
            FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.status = 'PENDENTE' AND d.next_attempt_at <= @now AND e.active AND e.deleted_at IS NULL
            ORDER BY d.id LIMIT 10 FOR UPDATE OF d SKIP LOCKED
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                due.Add((r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), r.GetString(6)));
        }
        foreach (var d in due)
        {
            int? status = null;
            string? error = null;
            try
            {
                var body = Encoding.UTF8.GetBytes(d.Payload);
                using var req = new HttpRequestMessage(HttpMethod.Post, d.Url) { Content = new ByteArrayContent(body) };
                req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                req.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(d.Secret, body));
                req.Headers.Add(WebhookSignature.EventIdHeader, d.EventId.ToString());
                req.Headers.Add(WebhookSignature.EventTypeHeader, d.Type);
                using var resp = await _http.SendAsync(req, ct);
                status = (int)resp.StatusCode;
                if (!resp.IsSuccessStatusCode) error = string.Create(CultureInfo.InvariantCulture, $"HTTP {status}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = e.Message;
            }
            if (error is not null) log.LogWarning("Webhook {Id} ({Type}) não entregue: {Error} (tentativa {Attempt})", d.Id, d.Type, error, d.Attempts + 1);
            var attempts = d.Attempts + 1;
            var now = clock.GetUtcNow();
            await using var u = new NpgsqlCommand(
                """
                UPDATE webhook_deliveries SET status = @s, attempts = @n, last_status = @code, last_error = @e, next_attempt_at = @next,
                                              delivered_at = CASE WHEN @s = 'ENVIADO' THEN @now ELSE delivered_at END
                WHERE id = @id
                """, conn, tx);
            u.Parameters.AddWithValue("s", error is null ? "ENVIADO" : attempts >= _o.MaxAttempts ? "FALHOU" : "PENDENTE");
            u.Parameters.AddWithValue("n", attempts);
            u.Parameters.Add(new NpgsqlParameter("code", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)status ?? DBNull.Value });
            u.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            u.Parameters.AddWithValue("next", (now + WebhookSignature.Backoff(attempts)).UtcDateTime);
            u.Parameters.AddWithValue("now", now.UtcDateTime);
            u.Parameters.AddWithValue("id", d.Id);
            await u.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
