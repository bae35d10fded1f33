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

    public async Task<IReadOnlyList<string>> Tick()
    {
        var closed = new List<string>();
        foreach (var month in await UnclosedAsync())
            if (await Close(month.Year, month.Month)) closed.Add(month.Key);
        return closed;
    }

    /// <summary>
    /// The ended months not closed yet, oldest first: from the month of the first reseller or DID assignment (before it
    /// no reseller had anything to bill) to the month that ended last. Old months from before this reminder existed, or
    /// whose end found no silo up, are closed as well, not only the last one.
    /// </summary>
    private async Task<List<BillingPeriod>> UnclosedAsync()
    {
        var last = BillingPeriod.Of(clock.GetUtcNow()).Previous;
        await using var cmd = db.CreateCommand(
            """
            SELECT least((SELECT min(created_at) FROM resellers), (SELECT min(active_from) FROM did_assignments WHERE reseller_id IS NOT NULL));
            SELECT reference FROM reseller_statement_closings;
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync() || r.IsDBNull(0)) return [];
        var first = BillingPeriod.Of(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero));
        await r.NextResultAsync();
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (await r.ReadAsync()) done.Add(r.GetString(0));
        var months = new List<BillingPeriod>();
        for (var m = first; m <= last; m = m.Next)
            if (!done.Contains(m.Key)) months.Add(m);
        return months;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        try
        {
            foreach (var month in await Tick()) log.LogInformation("Faturas de revenda de {Month} fechadas", month);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogError(e, "Fechamento das faturas de revenda falhou; tenta de novo no próximo lembrete");
        }
    }
}
