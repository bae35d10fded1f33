using Billing.GrainInterfaces.Circuits;
using Billing.Grains.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.Circuits;

/// <summary>
/// Tables <c>sip_trace_circuits</c> and <c>sip_traces</c> (migration 0014): written only by <see cref="SipTraceGrain"/>
/// (each for its own circuit); <see cref="SipTraceDirectoryGrain"/> only reads them.
/// </summary>
public sealed class SipTraceStore(NpgsqlDataSource db)
{
    public async Task<SipTraceStatus> LoadStatusAsync(string account, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand("SELECT enabled_at, enabled_by FROM sip_trace_circuits WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new SipTraceStatus(account, true, new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetString(1))
            : new SipTraceStatus(account, false, null, null);
    }

    /// <summary>On (the row) or off (no row), with its audit entry, in one transaction.</summary>
    public async Task SetAsync(string account, bool enabled, string actor, DateTimeOffset at, bool wasEnabled)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(enabled
            ? """
              INSERT INTO sip_trace_circuits (account, enabled_at, enabled_by) VALUES (@a, @at, @by)
              ON CONFLICT (account) DO UPDATE SET enabled_at = EXCLUDED.enabled_at, enabled_by = EXCLUDED.enabled_by
              """
            : "DELETE FROM sip_trace_circuits WHERE account = @a", conn, tx))
        {
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("at", at.UtcDateTime);
            cmd.Parameters.AddWithValue("by", actor);
            await cmd.ExecuteNonQueryAsync();
        }
        await AuditLog.WriteAsync(conn, tx, at, actor, "circuit", account, enabled ? "sip-trace-on" : "sip-trace-off",
            AuditLog.Diff(
                new Dictionary<string, string?>(StringComparer.Ordinal) { ["sipTrace"] = wasEnabled ? "on" : "off" },
                new Dictionary<string, string?>(StringComparer.Ordinal) { ["sipTrace"] = enabled ? "on" : "off" }));
        await tx.CommitAsync();
    }

    /// <summary>
    /// The batch in one INSERT (arrays unnested) and the pruning of the circuit to the bounds, in one round trip:
    /// older than <paramref name="cutoff"/> or past the newest <see cref="SipTraceBounds.MaxMessages"/>.
    /// </summary>
    public async Task AppendAsync(string account, IReadOnlyList<SipTraceMessage> messages, DateTimeOffset cutoff)
    {
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand(
            """
            INSERT INTO sip_traces (account, at, direction, src, dst, message)
            SELECT @a, t.at, t.direction, t.src, t.dst, t.message
            FROM unnest(@at, @dir, @src, @dst, @msg) WITH ORDINALITY AS t(at, direction, src, dst, message, n)
            ORDER BY t.n
            """);
        insert.Parameters.AddWithValue("a", account);
        insert.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = messages.Select(m => m.At.UtcDateTime).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("dir", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Direction).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("src", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Source).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("dst", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Destination).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter("msg", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = messages.Select(m => m.Message).ToArray() });
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(Prune(account, cutoff));
        await batch.ExecuteNonQueryAsync();
    }

    public async Task PruneAsync(string account, DateTimeOffset cutoff)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Prune(account, cutoff));
        await batch.ExecuteNonQueryAsync();
    }

    private static NpgsqlBatchCommand Prune(string account, DateTimeOffset cutoff)
    {
        var cmd = new NpgsqlBatchCommand(
            $"""
             DELETE FROM sip_traces
             WHERE account = @a
               AND (at < @cutoff
                    OR (at, id) < (SELECT at, id FROM sip_traces WHERE account = @a
                                   ORDER BY at DESC, id DESC OFFSET {SipTraceBounds.MaxMessages - 1} LIMIT 1))
             """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        return cmd;
    }

    /// <summary>Traced circuits (for the directory; a read).</summary>
    public async Task<List<string>> EnabledAsync(CancellationToken ct = default)
    {
        var list = new List<string>();
        await using var cmd = db.CreateCommand("SELECT account FROM sip_trace_circuits ORDER BY account");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>Circuits holding messages older than <paramref name="cutoff"/> (a read; their grains delete them).</summary>
    public async Task<List<string>> StaleAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        var list = new List<string>();
        await using var cmd = db.CreateCommand("SELECT DISTINCT account FROM sip_traces WHERE at < @cutoff LIMIT 1000");
        cmd.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }
}
