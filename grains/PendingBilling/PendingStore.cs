using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// Pending items: contract periods are materialized on demand (one row per contract and month, up to the date
/// asked for; unique, so racing requests create each once); amounts of unbilled items are computed at read
/// time (circuit usage from the ledger, fees from the circuit / DID) and frozen into billing_record_items when billed.
/// Used only by <see cref="PendingBillingGrain"/>.
/// </summary>
internal static class PendingStore
{
    /// <summary>Creates the missing contract periods whose billing date is on or before <paramref name="horizon"/>.</summary>
    public static async Task MaterializeAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<long>? customerIds, DateOnly horizon,
        DateTimeOffset now, CancellationToken ct)
    {
        var contracts = new List<(long Id, long Customer, DateOnly Start, DateOnly? End, int Day, string Timing, int DueDays)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT id, customer_id, start_date, end_date, day_of_month, timing, due_days FROM billing_contracts
            WHERE deleted_at IS NULL AND start_date <= @h AND (@c::bigint[] IS NULL OR customer_id = ANY(@c))
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("h", horizon);
            cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)customerIds?.ToArray() ?? DBNull.Value });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                contracts.Add((r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateOnly>(3),
                    r.GetInt32(4), r.GetString(5), r.GetInt32(6)));
        }
        var ids = new List<long>();
        var customers = new List<long>();
        var refs = new List<string>();
        var dates = new List<DateOnly>();
        var dues = new List<DateOnly>();
        foreach (var c in contracts)
            foreach (var p in BillingRules.Periods(c.Start, c.End, c.Day, c.Timing, c.DueDays, horizon))
            {
                ids.Add(c.Id);
                customers.Add(c.Customer);
                refs.Add(p.Reference);
                dates.Add(p.ItemDate);
                dues.Add(p.DueDate);
            }
        if (ids.Count == 0) return;
        await using var ins = new NpgsqlCommand(
            """
            INSERT INTO billing_pending_items (customer_id, source, contract_id, reference, item_date, due_date, created_at)
            SELECT c, 'contrato', k, r, d, v, @now FROM unnest(@k, @c, @r, @d, @v) AS x(k, c, r, d, v)
            ON CONFLICT (contract_id, reference) WHERE contract_id IS NOT NULL DO NOTHING
            """, conn, tx);
        ins.Parameters.AddWithValue("k", ids.ToArray());
        ins.Parameters.AddWithValue("c", customers.ToArray());
        ins.Parameters.AddWithValue("r", refs.ToArray());
        ins.Parameters.AddWithValue("d", dates.ToArray());
        ins.Parameters.AddWithValue("v", dues.ToArray());
        ins.Parameters.AddWithValue("now", now.UtcDateTime);
        await ins.ExecuteNonQueryAsync(ct);
    }

    private const string ItemSql =
        """
        SELECT i.id, i.customer_id, i.source, i.contract_id, i.avulso_id, i.reference, i.item_date, i.due_date, i.billing_id,
               k.name, k.kind, k.timing, k.account, k.did_number, k.amount,
               coalesce(d.monthly_fee, rs.did_monthly_fee),
               a.description, a.amount, a.attachment IS NOT NULL, k.start_date
        FROM billing_pending_items i
        LEFT JOIN billing_contracts k ON k.id = i.contract_id
        LEFT JOIN billing_avulsos a ON a.id = i.avulso_id
        LEFT JOIN dids d ON d.number = k.did_number
        LEFT JOIN resellers rs ON rs.id = d.reseller_id
        """;

    private sealed record Row(long Id, long Customer, string Source, long? ContractId, long? AvulsoId, string Reference, DateOnly Date,
        DateOnly Due, long? BillingId, string? Name, string? Kind, string? Timing, string? Account, string? Did, decimal? ContractAmount,
        decimal? DidFee, string? AvulsoDescription, decimal? AvulsoAmount, bool HasAttachment, DateOnly? Start);

    private static Row Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4),
        r.GetString(5), r.GetFieldValue<DateOnly>(6), r.GetFieldValue<DateOnly>(7), r.IsDBNull(8) ? null : r.GetInt64(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
        r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : r.GetDecimal(14),
        r.IsDBNull(15) ? null : r.GetDecimal(15), r.IsDBNull(16) ? null : r.GetString(16), r.IsDBNull(17) ? null : r.GetDecimal(17),
        !r.IsDBNull(18) && r.GetBoolean(18), r.IsDBNull(19) ? null : r.GetFieldValue<DateOnly>(19));

    /// <summary>Unbilled items matching the filter (contract periods must have been materialized first).</summary>
    public static async Task<List<PendingItem>> PendingAsync(NpgsqlConnection conn, PendingFilter f, IGrainFactory cluster, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            ItemSql +
            """

            WHERE i.billing_id IS NULL
              AND (@c::bigint[] IS NULL OR i.customer_id = ANY(@c))
              AND (@base::date IS NULL OR i.item_date <= @base)
              AND (@due::date IS NULL OR i.due_date = @due)
              AND ((@contracts AND i.source = 'contrato') OR (@avulsos AND i.source = 'avulso'))
              AND (a.id IS NULL OR a.deleted_at IS NULL)
            ORDER BY i.customer_id, i.item_date, i.id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)f.CustomerIds?.ToArray() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("base", NpgsqlDbType.Date) { Value = (object?)f.BaseDate ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("due", NpgsqlDbType.Date) { Value = (object?)f.DueDate ?? DBNull.Value });
        cmd.Parameters.AddWithValue("contracts", f.Contracts);
        cmd.Parameters.AddWithValue("avulsos", f.Avulsos);
        return await ComputeAsync(conn, cmd, cluster, ct);
    }

    /// <summary>Locks (FOR UPDATE) and reads the given unbilled items of a customer, or all of them up to <paramref name="upTo"/>.</summary>
    public static async Task<List<PendingItem>> LockForBillingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long customerId,
        IReadOnlyList<long>? itemIds, DateOnly? upTo, IGrainFactory cluster, CancellationToken ct)
    {
        await using (var lk = new NpgsqlCommand(
            """
            SELECT id FROM billing_pending_items
            WHERE customer_id = @c AND billing_id IS NULL AND (@ids::bigint[] IS NULL OR id = ANY(@ids)) AND (@u::date IS NULL OR item_date <= @u)
            ORDER BY id FOR UPDATE
            """, conn, tx))
        {
            lk.Parameters.AddWithValue("c", customerId);
            lk.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)itemIds?.ToArray() ?? DBNull.Value });
            lk.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.Date) { Value = (object?)upTo ?? DBNull.Value });
            await using var r = await lk.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) { }
        }
        await using var cmd = new NpgsqlCommand(
            ItemSql +
            """

            WHERE i.customer_id = @c AND i.billing_id IS NULL AND (@ids::bigint[] IS NULL OR i.id = ANY(@ids)) AND (@u::date IS NULL OR i.item_date <= @u)
              AND (a.id IS NULL OR a.deleted_at IS NULL)
            ORDER BY i.item_date, i.id
            """, conn, tx);
        cmd.Parameters.AddWithValue("c", customerId);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)itemIds?.ToArray() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.Date) { Value = (object?)upTo ?? DBNull.Value });
        return await ComputeAsync(conn, cmd, cluster, ct);
    }

    private static async Task<List<PendingItem>> ComputeAsync(NpgsqlConnection conn, NpgsqlCommand cmd, IGrainFactory cluster, CancellationToken ct)
    {
        var rows = new List<Row>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) rows.Add(Read(r));
        var fees = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var items = new List<PendingItem>(rows.Count);
        foreach (var x in rows)
        {
            if (x.Source == "avulso")
            {
                items.Add(new PendingItem(x.Id, x.Customer, x.Source, null, x.AvulsoId, x.Reference, x.Date, x.Due, x.AvulsoDescription ?? "",
                    Money.Round(x.AvulsoAmount ?? 0m), new ItemDetails(null, null, null, null, null, null, null, null, null, x.HasAttachment), x.BillingId));
                continue;
            }
            var description = $"{x.Name} ({BillingPeriod.LabelOf(x.Reference)})";
            switch (x.Kind)
            {
                case ContractKinds.Circuito:
                {
                    var account = x.Account ?? "";
                    if (x.ContractAmount is null && !fees.ContainsKey(account))
                    {
                        var view = await cluster.Circuit(account).Get();
                        fees[account] = view?.Data.Invoice.MonthlyFee ?? 0m;
                    }
                    var fee = Money.Round(x.ContractAmount ?? fees[account]);
                    var usagePeriod = x.Timing == ContractTimings.Antecipado ? BillingPeriod.Parse(x.Reference).Previous.Key : x.Reference;
                    // antecipado: the fee of M with the usage of M-1, except before the contract started (that usage is not this contract's)
                    var startRef = x.Start is { } st ? BillingPeriod.Of(st).Key : "";
                    var usage = string.CompareOrdinal(usagePeriod, startRef) < 0 ? [] : await UsageAsync(conn, cmd.Transaction, account, usagePeriod, ct);
                    var usageTotal = usage.Sum(u => u.Amount);
                    items.Add(new PendingItem(x.Id, x.Customer, x.Source, x.ContractId, null, x.Reference, x.Date, x.Due, description, fee + usageTotal,
                        new ItemDetails(x.Name, x.Kind, x.Timing, account, null, fee, usagePeriod, usage, usageTotal, null), x.BillingId));
                    break;
                }
                case ContractKinds.Did:
                {
                    var fee = Money.Round(x.ContractAmount ?? x.DidFee ?? 0m);
                    items.Add(new PendingItem(x.Id, x.Customer, x.Source, x.ContractId, null, x.Reference, x.Date, x.Due, description, fee,
                        new ItemDetails(x.Name, x.Kind, x.Timing, null, x.Did, fee, null, null, null, null), x.BillingId));
                    break;
                }
                default:
                {
                    var amount = Money.Round(x.ContractAmount ?? 0m);
                    items.Add(new PendingItem(x.Id, x.Customer, x.Source, x.ContractId, null, x.Reference, x.Date, x.Due, description, amount,
                        new ItemDetails(x.Name, x.Kind, x.Timing, null, null, null, null, null, null, null), x.BillingId));
                    break;
                }
            }
        }
        return items;
    }

    /// <summary>The circuit's rated calls of a period by call type (charges are already rounded per call: the sum is exact).</summary>
    private static async Task<List<UsageLine>> UsageAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string account, string period, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT coalesce(call_type, 'desconhecido'), count(*)::int, coalesce(sum(billed_seconds), 0)::bigint, coalesce(-sum(amount), 0)
            FROM ledger WHERE account = @a AND period = @p AND kind = 'call'
            GROUP BY 1 ORDER BY 1
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("p", period);
        var list = new List<UsageLine>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new UsageLine(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetDecimal(3)));
        return list;
    }
}
