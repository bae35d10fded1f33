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
/// Posts due webhook deliveries, signed <c>t=…,v1=…</c> (HMAC-SHA256 of <c>"{t}.{body}"</c>, secret per endpoint; see
/// <see cref="WebhookSignature"/>). Rows are claimed with a lease (several silos share the work; no transaction is
/// open during the POST); a 2xx marks ENVIADO; anything else retries with backoff (10 s, 20 s… 1 h) and becomes FALHOU
/// after MaxAttempts. The event id is stable across retries, so a delivery that succeeded but whose outcome was not
/// recorded (crash, expired lease) is re-sent with the same id and the receiver drops it.
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

    /// <summary>Deliveries claimed per round.</summary>
    public const int BatchSize = 10;

    /// <summary>
    /// How long a claim holds: every delivery of a round may take the full HTTP timeout, plus a margin. A sender that
    /// dies mid-round leaves its claims to expire; another sender then posts them again (same event id).
    /// </summary>
    public TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, _o.TimeoutSeconds) * BatchSize + 60);

    /// <summary>
    /// Posts (or reschedules) up to <see cref="BatchSize"/> due deliveries; returns how many it handled. No transaction
    /// or row lock is held while a POST is in flight: rows are claimed (<c>locked_until</c> = now + lease, picked with
    /// <c>FOR UPDATE SKIP LOCKED</c>) in one short statement, posted, and each outcome recorded in another.
    /// </summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        var due = await ClaimAsync(ct);
        foreach (var d in due)
        {
            int? status = null;
            string? error = null;
            try
            {
                var body = Encoding.UTF8.GetBytes(d.Payload);
                using var req = new HttpRequestMessage(HttpMethod.Post, d.Url) { Content = new ByteArrayContent(body) };
                req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                req.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(d.Secret, body, clock.GetUtcNow()));
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
            await RecordAsync(d, status, error, ct);
        }
        return due.Count;
    }

    private sealed record Claimed(long Id, Guid EventId, string Type, string Payload, int Attempts, string Url, string Secret, DateTime LockedUntil);

    private async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = Microseconds((now + Lease).UtcDateTime);
        await using var cmd = db.CreateCommand(
            """
            UPDATE webhook_deliveries d SET locked_until = @until
            FROM (SELECT d2.id FROM webhook_deliveries d2 JOIN webhook_endpoints e2 ON e2.id = d2.endpoint_id
                  WHERE d2.status = 'PENDENTE' AND d2.next_attempt_at <= @now AND (d2.locked_until IS NULL OR d2.locked_until <= @now)
                    AND e2.active AND e2.deleted_at IS NULL
                  ORDER BY d2.id LIMIT @n FOR UPDATE OF d2 SKIP LOCKED) c, webhook_endpoints e
            WHERE d.id = c.id AND e.id = d.endpoint_id
            RETURNING d.id, d.event_id, d.event_type, d.payload, d.attempts, e.url, e.secret
            """);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        cmd.Parameters.AddWithValue("until", until);
        cmd.Parameters.AddWithValue("n", BatchSize);
        var due = new List<Claimed>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            due.Add(new Claimed(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), r.GetString(6), until));
        due.Sort((a, b) => a.Id.CompareTo(b.Id));
        return due;
    }

    /// <summary>PostgreSQL keeps microseconds: the claim's time as stored, so the record can match it exactly.</summary>
    internal static DateTime Microseconds(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);

    /// <summary>Records one outcome and releases the claim — only while this sender still holds it (its lease did not expire).</summary>
    private async Task RecordAsync(Claimed d, int? status, string? error, CancellationToken ct)
    {
        var attempts = d.Attempts + 1;
        var now = clock.GetUtcNow();
        await using var u = db.CreateCommand(
            """
            UPDATE webhook_deliveries SET status = @s, attempts = @n, last_status = @code, last_error = @e, next_attempt_at = @next, locked_until = NULL,
                                          delivered_at = CASE WHEN @s = 'ENVIADO' THEN @now ELSE delivered_at END
            WHERE id = @id AND locked_until = @until
            """);
        u.Parameters.AddWithValue("s", error is null ? "ENVIADO" : attempts >= _o.MaxAttempts ? "FALHOU" : "PENDENTE");
        u.Parameters.AddWithValue("n", attempts);
        u.Parameters.Add(new NpgsqlParameter("code", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)status ?? DBNull.Value });
        u.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
        u.Parameters.AddWithValue("next", (now + WebhookSignature.Backoff(attempts)).UtcDateTime);
        u.Parameters.AddWithValue("now", now.UtcDateTime);
        u.Parameters.AddWithValue("id", d.Id);
        u.Parameters.AddWithValue("until", d.LockedUntil);
        if (await u.ExecuteNonQueryAsync(CancellationToken.None) == 0)
            log.LogWarning("Webhook {Id}: o prazo do envio expirou antes do registro; outro envio o repetirá com o mesmo id de evento", d.Id);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
