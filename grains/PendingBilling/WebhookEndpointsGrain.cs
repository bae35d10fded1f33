using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using NpgsqlTypes;
using Orleans.Concurrency;

namespace Billing.Grains.PendingBilling;

/// <summary>The table <c>webhook_endpoints</c> (and the retry of a delivery): one statement per command.</summary>
[StatelessWorker]
public sealed class WebhookEndpointsGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IWebhookEndpointsGrain
{
    private const string Columns = "id, url, events, active, secret, created_at, updated_at";

    private static WebhookEndpoint Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetBoolean(3), r.GetString(4),
        new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero), new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero));

    public async Task<WebhookEndpoint> Create(string url, IReadOnlyList<string> events, string secret, bool active)
    {
        await using var cmd = db.CreateCommand(
            $"""
             INSERT INTO webhook_endpoints (url, secret, events, active, created_at, updated_at) VALUES (@u, @s, @e, @a, @now, @now)
             RETURNING {Columns}
             """);
        cmd.Parameters.AddWithValue("u", url);
        cmd.Parameters.AddWithValue("s", secret);
        cmd.Parameters.AddWithValue("e", events.ToArray());
        cmd.Parameters.AddWithValue("a", active);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return Read(r);
    }

    public async Task<WebhookEndpoint?> Update(long id, string url, IReadOnlyList<string> events, bool? active)
    {
        await using var cmd = db.CreateCommand(
            $"""
             UPDATE webhook_endpoints SET url = @u, events = @e, active = coalesce(@a, active), updated_at = @now
             WHERE id = @id AND deleted_at IS NULL
             RETURNING {Columns}
             """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("u", url);
        cmd.Parameters.AddWithValue("e", events.ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Boolean) { Value = (object?)active ?? DBNull.Value });
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? Read(r) : null;
    }

    public async Task<bool> Delete(long id)
    {
        await using var cmd = db.CreateCommand("UPDATE webhook_endpoints SET deleted_at = @now, active = false WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() > 0;
    }

    public async Task<bool> Retry(long endpointId, long deliveryId)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE webhook_deliveries SET status = 'PENDENTE', next_attempt_at = @now WHERE id = @d AND endpoint_id = @id AND status <> 'ENVIADO'");
        cmd.Parameters.AddWithValue("id", endpointId);
        cmd.Parameters.AddWithValue("d", deliveryId);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() > 0;
    }
}
