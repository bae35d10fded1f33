using System.Text.Json;
using Npgsql;

namespace Billing.Api.PendingBilling;

/// <summary>
/// Webhook outbox: an event is written, in the transaction of the change that causes it, as one delivery row per
/// active endpoint subscribed to its type. The payload carries a stable event id so receivers can drop duplicates.
/// (The silo's invoice events use the same SQL: Billing.Grains.PendingBilling.WebhookOutbox; the API does not reference grains.)
/// </summary>
public static class Webhooks
{
    public static async Task EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string type, object data, DateTimeOffset now, CancellationToken ct)
    {
        var eventId = Guid.NewGuid();
        var payload = JsonSerializer.Serialize(new { id = eventId, type, createdAt = now, data }, PendingStore.Json);
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, next_attempt_at, created_at)
            SELECT id, @e, @t, @p, @now, @now FROM webhook_endpoints WHERE active AND deleted_at IS NULL AND @t = ANY(events)
            """, conn, tx);
        cmd.Parameters.AddWithValue("e", eventId);
        cmd.Parameters.AddWithValue("t", type);
        cmd.Parameters.AddWithValue("p", payload);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
