using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.Audit;

/// <summary>One field's value before and after a change (null = absent).</summary>
public sealed record FieldChange(string? Before, string? After);

/// <summary>
/// The generic audit log (table <c>audit_log</c>, migration 0004): who (API key or user name), when
/// (injected clock), which entity, which action, and what changed field by field. Written inside the
/// same transaction as the read-model change it describes, so the two never disagree.
/// </summary>
public static class AuditLog
{
    /// <summary>Field-level differences between two flat snapshots (field → value); unchanged fields are left out.</summary>
    public static SortedDictionary<string, FieldChange> Diff(
        IReadOnlyDictionary<string, string?>? before, IReadOnlyDictionary<string, string?>? after)
    {
        var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (before is not null) keys.UnionWith(before.Keys);
        if (after is not null) keys.UnionWith(after.Keys);
        foreach (var k in keys)
        {
            string? b = null, a = null;
            before?.TryGetValue(k, out b);
            after?.TryGetValue(k, out a);
            if (!string.Equals(b, a, StringComparison.Ordinal)) changes[k] = new FieldChange(b, a);
        }
        return changes;
    }

    /// <summary><c>{"field": {"before": …, "after": …}, …}</c></summary>
    public static string ToJson(IReadOnlyDictionary<string, FieldChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var obj = changes.ToDictionary(
            kv => kv.Key,
            kv => new Dictionary<string, string?>(StringComparer.Ordinal) { ["before"] = kv.Value.Before, ["after"] = kv.Value.After },
            StringComparer.Ordinal);
        return JsonSerializer.Serialize(obj);
    }

    public static async Task WriteAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, DateTimeOffset at, string actor, string entity, string entityId,
        string action, IReadOnlyDictionary<string, FieldChange> changes, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO audit_log (at, actor, entity, entity_id, action, changes)
            VALUES (@at, @actor, @entity, @entity_id, @action, @changes)
            """, conn, tx);
        cmd.Parameters.AddWithValue("at", at.ToUniversalTime());
        cmd.Parameters.AddWithValue("actor", string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor);
        cmd.Parameters.AddWithValue("entity", entity);
        cmd.Parameters.AddWithValue("entity_id", entityId);
        cmd.Parameters.AddWithValue("action", action);
        cmd.Parameters.Add(new NpgsqlParameter("changes", NpgsqlDbType.Jsonb) { Value = ToJson(changes) });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
