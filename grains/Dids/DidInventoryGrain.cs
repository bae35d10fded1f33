using Billing.GrainInterfaces.Dids;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.Dids;

/// <summary>Bulk creation of <c>dids</c> rows with their audit entries, in one transaction (numbers already taken are skipped).</summary>
[StatelessWorker]
public sealed class DidInventoryGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IDidInventoryGrain
{
    public async Task<IReadOnlyList<string>> Create(IReadOnlyList<string> numbers, long? resellerId, decimal? monthlyFee, string actor)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var created = new List<string>();
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO dids (number, reseller_id, monthly_fee, created_at, updated_at)
            SELECT n, @r, @fee, @now, @now FROM unnest(@numbers) AS n
            ON CONFLICT (number) DO NOTHING
            RETURNING number
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("numbers", numbers.ToArray());
            cmd.Parameters.AddWithValue("r", (object?)resellerId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("fee", (object?)monthlyFee ?? DBNull.Value);
            cmd.Parameters.AddWithValue("now", now);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) created.Add(r.GetString(0));
        }
        if (created.Count > 0)
        {
            await using var audit = new NpgsqlCommand(
                """
                INSERT INTO audit_log (at, actor, entity, entity_id, action, changes)
                SELECT @at, @actor, 'did', n, 'create', '{}'::jsonb FROM unnest(@numbers) AS n
                """, conn, tx);
            audit.Parameters.AddWithValue("at", now);
            audit.Parameters.AddWithValue("actor", string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor);
            audit.Parameters.AddWithValue("numbers", created.ToArray());
            await audit.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return created;
    }
}
