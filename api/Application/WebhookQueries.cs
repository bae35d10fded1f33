using Billing.Api.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Api.Application;

public sealed record WebhookResponse(long Id, string Url, IReadOnlyList<string> Events, bool Active, string? Secret, string SecretHint,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record WebhookDeliveryItem(long Id, Guid EventId, string EventType, string Status, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, string Payload);

/// <summary>
/// Webhook endpoints and their deliveries, read-only (<c>webhook_endpoints</c> is written by the endpoints grain,
/// <c>webhook_deliveries</c> by the grains' webhook outbox and the silos' sender). A listed endpoint shows only the last
/// four characters of its secret.
/// </summary>
public sealed class WebhookQueries(NpgsqlDataSource db)
{
    private const string Columns = "id, url, events, active, secret, created_at, updated_at";

    internal static string Hint(string secret) => "…" + secret[^4..];

    private static WebhookResponse Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetBoolean(3), null, Hint(r.GetString(4)),
        new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero), new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero));

    public async Task<List<WebhookResponse>> List(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id");
        var list = new List<WebhookResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(Read(r));
        return list;
    }

    public async Task<WebhookResponse?> Get(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM webhook_endpoints WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>One endpoint's deliveries, newest first, optionally of one status (PENDENTE, ENVIADO, FALHOU).</summary>
    public async Task<PagedResult<WebhookDeliveryItem>> Deliveries(long id, string? status, int p, int size, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, event_id, event_type, status, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at, payload, count(*) OVER ()
            FROM webhook_deliveries WHERE endpoint_id = @id AND (@s::text IS NULL OR status = @s)
            ORDER BY id DESC LIMIT @limit OFFSET @offset
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<WebhookDeliveryItem>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                items.Add(new WebhookDeliveryItem(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                    r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6), new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero),
                    new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero), r.IsDBNull(9) ? null : new DateTimeOffset(r.GetDateTime(9), TimeSpan.Zero),
                    r.GetString(10)));
                total = r.GetInt64(11);
            }
        return Paging.Of(items, p, size, total);
    }
}
