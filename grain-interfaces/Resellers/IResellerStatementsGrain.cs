using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Resellers;

/// <summary>
/// Closes reseller months ("Faturas Fechadas Revenda"), key <see cref="Key"/>: owner of <c>reseller_statements</c>,
/// <c>reseller_statement_days</c> and <c>reseller_statement_closings</c>. Its reminder closes every ended month in
/// America/Sao_Paulo that is not closed yet (checked hourly, so a month is frozen within an hour of its end, and a month
/// missed while no silo was up is closed at the next tick); later CDRs of a closed month no longer change it. Reading a
/// statement never closes it.
/// </summary>
[Alias("Billing.IResellerStatementsGrain")]
public interface IResellerStatementsGrain : IGrainWithStringKey
{
    public const string Key = "revstmt:closing";

    /// <summary>Registers (or keeps) the hourly closing reminder; called at silo start.</summary>
    [Alias("Start")]
    Task Start();

    /// <summary>
    /// Freezes every reseller's statement of the month (idempotent: a closed month stays as it was). False when the
    /// month has not ended yet (nothing written).
    /// </summary>
    [Alias("Close")]
    Task<bool> Close(int year, int month);

    /// <summary>
    /// One reminder tick: closes every ended month that is not closed yet (oldest first, from the first reseller or DID
    /// assignment on; not only the month that just ended). Returns the month keys closed now (empty when none).
    /// </summary>
    [Alias("Tick")]
    Task<IReadOnlyList<string>> Tick();
}

/// <summary>
/// The live queries of a reseller statement month (read-only), for the key <c>@ref</c> (<see cref="BillingPeriod.Key"/>):
/// the month's São Paulo bounds come from the SQL function <c>billing_period</c>.
/// </summary>
public static class ResellerStatementMonth
{
    /// <summary>
    /// Every reseller's figures of the month @ref: id, nome, DID count, DIDs, DID fees, completion, inbound calls,
    /// inbound seconds. Each DID in service for the reseller at any moment of the month is charged its full fee once.
    /// </summary>
    public const string LiveSql =
        """
        WITH b AS (SELECT period_start AS s, period_end AS e FROM billing_period(@ref)),
        a AS (
            SELECT DISTINCT ON (reseller_id, number) reseller_id, number, monthly_fee
            FROM did_assignments, b
            WHERE reseller_id IS NOT NULL AND active_from < b.e AND (active_to IS NULL OR active_to > b.s)
            ORDER BY reseller_id, number, active_from DESC, id DESC),
        f AS (SELECT reseller_id, count(*)::int AS n, array_agg(number ORDER BY number) AS dids, sum(monthly_fee) AS fees
              FROM a GROUP BY reseller_id),
        c AS (SELECT reseller_id, count(*)::int AS calls, coalesce(sum(duration_seconds), 0)::bigint AS secs,
                     coalesce(sum(reseller_amount), 0) AS amount
              FROM ledger, b WHERE kind = 'call' AND reseller_id IS NOT NULL AND started_at >= b.s AND started_at < b.e
              GROUP BY reseller_id)
        SELECT r.id, r.nome, coalesce(f.n, 0), coalesce(f.dids, '{}'::text[]), coalesce(f.fees, 0), coalesce(c.amount, 0),
               coalesce(c.calls, 0), coalesce(c.secs, 0)
        FROM resellers r CROSS JOIN b LEFT JOIN f ON f.reseller_id = r.id LEFT JOIN c ON c.reseller_id = r.id
        WHERE (r.created_at < b.e AND (r.deleted_at IS NULL OR r.deleted_at >= b.s)) OR f.reseller_id IS NOT NULL OR c.reseller_id IS NOT NULL
        """;

    /// <summary>Inbound calls of the month @ref per reseller and São Paulo day (append GROUP BY 1, 2 or a reseller filter).</summary>
    public const string DaysSql =
        """
        SELECT reseller_id, (started_at AT TIME ZONE 'America/Sao_Paulo')::date, count(*)::int,
               coalesce(sum(duration_seconds), 0)::bigint, coalesce(sum(reseller_amount), 0)
        FROM ledger, billing_period(@ref) b
        WHERE kind = 'call' AND reseller_id IS NOT NULL AND started_at >= b.period_start AND started_at < b.period_end
        """;
}
