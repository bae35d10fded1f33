using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Resellers;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Grains.Resellers;

/// <summary>Freezes reseller months when they end (see <see cref="IResellerStatementsGrain"/>).</summary>
public sealed class ResellerStatementsGrain(NpgsqlDataSource db, TimeProvider clock, ILogger<ResellerStatementsGrain> log)
    : Grain, IResellerStatementsGrain, IRemindable
{
    public const string ReminderName = "month-close";

    public async Task Start() =>
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

    public async Task<bool> Close(int year, int month)
    {
        var period = new BillingPeriod(year, month);
        if (clock.GetUtcNow() < period.End()) return false;
        var key = period.Key;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock(hashtext('reseller-statements:' || @ref));
            INSERT INTO reseller_statements (reseller_id, reference, nome, did_count, dids, did_fees, completion, inbound_calls,
                                             inbound_seconds, total, closed_at)
            SELECT x.id, @ref, x.nome, x.n, x.dids, x.fees, x.amount, x.calls, x.secs, x.fees + x.amount, @now
            FROM ({ResellerStatementMonth.LiveSql}) AS x(id, nome, n, dids, fees, amount, calls, secs)
            WHERE NOT EXISTS (SELECT 1 FROM reseller_statement_closings WHERE reference = @ref)
            ON CONFLICT DO NOTHING;
            INSERT INTO reseller_statement_days (reseller_id, reference, day, calls, seconds, amount)
            SELECT y.rid, @ref, y.day, y.calls, y.secs, y.amount
            FROM ({ResellerStatementMonth.DaysSql} GROUP BY 1, 2) AS y(rid, day, calls, secs, amount)
            WHERE NOT EXISTS (SELECT 1 FROM reseller_statement_closings WHERE reference = @ref)
            ON CONFLICT DO NOTHING;
            INSERT INTO reseller_statement_closings (reference, closed_at) VALUES (@ref, @now) ON CONFLICT DO NOTHING;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("ref", key);
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return true;
    }

    public async Task<string?> Tick()
    {
        var previous = BillingPeriod.Of(clock.GetUtcNow()).Previous;
        var key = previous.Key;
        await using (var check = db.CreateCommand("SELECT 1 FROM reseller_statement_closings WHERE reference = @ref"))
        {
            check.Parameters.AddWithValue("ref", key);
            if (await check.ExecuteScalarAsync() is not null) return null;
        }
        return await Close(previous.Year, previous.Month) ? key : null;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        try
        {
            if (await Tick() is { } closed) log.LogInformation("Faturas de revenda de {Month} fechadas", closed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogError(e, "Fechamento das faturas de revenda falhou; tenta de novo no próximo lembrete");
        }
    }
}
