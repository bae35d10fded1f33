using System.Globalization;
using Billing.GrainInterfaces.Dids;
using Billing.Grains.Audit;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.Dids;

/// <summary>
/// The one writer of <c>dids</c> and <c>did_assignments</c> (see <see cref="IDidInventoryGrain"/>): bulk creation in one
/// transaction (numbers already taken are skipped), and the changes each <see cref="DidGrain"/> decided, each with its
/// audit entry in one transaction.
/// </summary>
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

    private static string? Str(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);

    public async Task SaveAssignment(DidView before, DidView after, decimal chargedFee, DateTimeOffset at, string actor)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE dids SET account = @a, reseller_id = @r, active_from = @f, active_to = @t, monthly_fee = @fee, updated_at = @now
            WHERE number = @n;
            INSERT INTO did_assignments (number, reseller_id, account, monthly_fee, active_from, active_to, assigned_by)
            VALUES (@n, @r, @a, @chargedFee, @f, @t, @actor);
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("n", after.Number);
            cmd.Parameters.AddWithValue("a", (object?)after.Account ?? DBNull.Value);
            cmd.Parameters.AddWithValue("r", (object?)after.ResellerId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("f", (object?)after.ActiveFrom?.UtcDateTime ?? DBNull.Value);
            cmd.Parameters.AddWithValue("t", (object?)after.ActiveTo?.UtcDateTime ?? DBNull.Value);
            cmd.Parameters.AddWithValue("fee", (object?)after.MonthlyFee ?? DBNull.Value);
            cmd.Parameters.AddWithValue("chargedFee", chargedFee);
            cmd.Parameters.AddWithValue("now", at.UtcDateTime);
            cmd.Parameters.AddWithValue("actor", actor);
            await cmd.ExecuteNonQueryAsync();
        }
        await AuditLog.WriteAsync(conn, tx, at, actor, "did", after.Number, "assign", new Dictionary<string, FieldChange>(StringComparer.Ordinal)
        {
            ["account"] = new(before.Account, after.Account),
            ["resellerId"] = new(before.ResellerId?.ToString(CultureInfo.InvariantCulture), after.ResellerId?.ToString(CultureInfo.InvariantCulture)),
            ["activeFrom"] = new(Str(before.ActiveFrom), Str(after.ActiveFrom)),
            ["activeTo"] = new(Str(before.ActiveTo), Str(after.ActiveTo)),
        });
        await tx.CommitAsync();
    }

    public async Task SaveRelease(DidView before, DateTimeOffset end, DateTimeOffset at, string actor)
    {
        ArgumentNullException.ThrowIfNull(before);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE did_assignments SET active_to = @end, released_by = @actor
            WHERE id = (SELECT max(id) FROM did_assignments WHERE number = @n AND released_by IS NULL);
            UPDATE dids SET account = NULL, active_from = NULL, active_to = NULL,
                            sigame_enabled = false, sigame_destination = NULL, accepts_collect = false, updated_at = @now
            WHERE number = @n;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("n", before.Number);
            cmd.Parameters.AddWithValue("end", end.UtcDateTime);
            cmd.Parameters.AddWithValue("now", at.UtcDateTime);
            cmd.Parameters.AddWithValue("actor", actor);
            await cmd.ExecuteNonQueryAsync();
        }
        await AuditLog.WriteAsync(conn, tx, at, actor, "did", before.Number, "release", new Dictionary<string, FieldChange>(StringComparer.Ordinal)
        {
            ["account"] = new(before.Account, null),
            ["activeTo"] = new(Str(before.ActiveTo), Str(end)),
        });
        await tx.CommitAsync();
    }

    public async Task SaveSettings(DidView before, DidView after, DateTimeOffset at, string actor)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(
            "UPDATE dids SET sigame_enabled = @e, sigame_destination = @d, accepts_collect = @c, updated_at = @now WHERE number = @n",
            conn, tx))
        {
            cmd.Parameters.AddWithValue("n", after.Number);
            cmd.Parameters.AddWithValue("e", after.Sigame.Enabled);
            cmd.Parameters.AddWithValue("d", (object?)after.Sigame.Destination ?? DBNull.Value);
            cmd.Parameters.AddWithValue("c", after.AcceptsCollect);
            cmd.Parameters.AddWithValue("now", at.UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        static Dictionary<string, string?> Flat(DidView v) => new(StringComparer.Ordinal)
        {
            ["sigame.enabled"] = v.Sigame.Enabled ? "true" : "false", ["sigame.destination"] = v.Sigame.Destination,
            ["acceptsCollect"] = v.AcceptsCollect ? "true" : "false",
        };
        await AuditLog.WriteAsync(conn, tx, at, actor, "did", after.Number, "settings", AuditLog.Diff(Flat(before), Flat(after)));
        await tx.CommitAsync();
    }
}
