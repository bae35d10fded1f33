using Billing.GrainInterfaces.Circuits;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.Calls;

/// <summary>The table <c>cdr_rejected</c>: the refused lines of a CDR import, one batch per import.</summary>
[StatelessWorker]
public sealed class CdrRejectionsGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, ICdrRejectionsGrain
{
    public async Task Record(IReadOnlyList<CdrRejectedLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0) return;
        await using var batch = db.CreateBatch();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var rej in lines)
        {
            var cmd = new NpgsqlBatchCommand("INSERT INTO cdr_rejected (received_at, line, field, reason, raw) VALUES (@at, @l, @f, @r, @raw)");
            cmd.Parameters.AddWithValue("at", now);
            cmd.Parameters.AddWithValue("l", rej.Line);
            cmd.Parameters.AddWithValue("f", rej.Field);
            cmd.Parameters.AddWithValue("r", rej.Reason);
            cmd.Parameters.AddWithValue("raw", rej.Raw);
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync();
    }
}
