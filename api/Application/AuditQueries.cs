using System.Text;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Npgsql;

namespace Billing.Api.Application;

public sealed record AuditEntry(
    long Id, DateTimeOffset At, string Actor, string Entity, string EntityId, string Action, JsonElement Changes);

/// <summary>The audit log (<c>audit_log</c>, written by the grains through AuditLog), read-only, newest first.</summary>
public sealed class AuditQueries(NpgsqlDataSource db)
{
    public async Task<PagedResult<AuditEntry>> Page(string? entity, string? id, int p, int size, CancellationToken ct)
    {
        var where = new StringBuilder("TRUE");
        if (!string.IsNullOrWhiteSpace(entity)) where.Append(" AND entity = @entity");
        if (!string.IsNullOrWhiteSpace(id)) where.Append(" AND entity_id = @id");
        void Bind(NpgsqlCommand cmd)
        {
            if (!string.IsNullOrWhiteSpace(entity)) cmd.Parameters.AddWithValue("entity", entity.Trim());
            if (!string.IsNullOrWhiteSpace(id)) cmd.Parameters.AddWithValue("id", id.Trim());
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM audit_log WHERE {where}", conn))
        {
            Bind(count);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<AuditEntry>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT id, at, actor, entity, entity_id, action, changes::text
            FROM audit_log WHERE {where}
            ORDER BY id DESC
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                using var changes = JsonDocument.Parse(r.GetString(6));
                items.Add(new AuditEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2),
                    r.GetString(3), r.GetString(4), r.GetString(5), changes.RootElement.Clone()));
            }
        }
        return new PagedResult<AuditEntry>(items, p, size, total, (total + size - 1) / size);
    }
}
