using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// Pending items: avulsos are stored when created; a contract period is computed from its contract
/// (<see cref="BillingRules.Periods"/>) until a billing stores it (one row per contract and month, under its
/// <see cref="ContractPeriodIds">period id</see>; unique, so racing billings store each once), so reading writes nothing.
/// Amounts of unbilled items are computed at read time (circuit usage from the ledger, fees from the circuit / DID) and
/// frozen into billing_record_items when billed.
/// Used only by <see cref="PendingBillingGrain"/>.
/// </summary>
internal static class PendingStore
{
    /// <summary>A contract as its periods and their amounts need it (DID fee: the DID's own, else its reseller's).</summary>
    private sealed record Contract(long Id, long Customer, DateOnly Start, DateOnly? End, int Day, string Timing, int DueDays, string Name,
        string Kind, string? Account, string? Did, decimal? Amount, decimal? DidFee);

    /// <summary>A contract period that has no row yet, with the id its row will have (<see cref="ContractPeriodIds"/>).</summary>
    private readonly record struct Unstored(Contract Contract, ContractPeriod Period, long Id);

    /// <summary>Live contracts started on or before <paramref name="horizon"/> (of some customers / some contracts, or all).</summary>
    private static async Task<List<Contract>> ContractsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<long>? customerIds,
        IReadOnlyList<long>? contractIds, DateOnly horizon, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT k.id, k.customer_id, k.start_date, k.end_date, k.day_of_month, k.timing, k.due_days, k.name, k.kind, k.account, k.did_number,
                   k.amount, coalesce(d.monthly_fee, rs.did_monthly_fee)
            FROM billing_contracts k
            LEFT JOIN dids d ON d.number = k.did_number
            LEFT JOIN resellers rs ON rs.id = d.reseller_id
            WHERE k.deleted_at IS NULL AND k.start_date <= @h AND (@c::bigint[] IS NULL OR k.customer_id = ANY(@c))
              AND (@k::bigint[] IS NULL OR k.id = ANY(@k))
            """, conn, tx);
        cmd.Parameters.AddWithValue("h", horizon);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)customerIds?.ToArray() ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("k", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)contractIds?.ToArray() ?? DBNull.Value });
        var list = new List<Contract>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Contract(r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.IsDBNull(3) ? null : r.GetFieldValue<DateOnly>(3),
                r.GetInt32(4), r.GetString(5), r.GetInt32(6), r.GetString(7), r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9),
                r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetDecimal(11), r.IsDBNull(12) ? null : r.GetDecimal(12)));
        return list;
    }

    /// <summary>
    /// The periods of <paramref name="contracts"/> billable on or before <paramref name="horizon"/> (<see cref="BillingRules.Periods"/>)
    /// that have no row: never billed, so pending. A stored period (billed, billed and cancelled, or stored before period ids
    /// existed) is read from its row instead. Reads only: one probe of the (contract, reference) index per period.
    /// </summary>
    private static async Task<List<Unstored>> UnstoredAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyList<Contract> contracts,
        DateOnly horizon, CancellationToken ct)
    {
        var all = contracts.SelectMany(c => BillingRules.Periods(c.Start, c.End, c.Day, c.Timing, c.DueDays, horizon).Select(p => (c, p))).ToList();
        if (all.Count == 0) return [];
        var stored = new HashSet<(long, string)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT x.k, x.r FROM unnest(@k, @r) AS x(k, r)
            WHERE EXISTS (SELECT 1 FROM billing_pending_items i WHERE i.contract_id = x.k AND i.reference = x.r)
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("k", all.Select(x => x.c.Id).ToArray());
            cmd.Parameters.AddWithValue("r", all.Select(x => x.p.Reference).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) stored.Add((r.GetInt64(0), r.GetString(1)));
        }
        return all.Where(x => !stored.Contains((x.c.Id, x.p.Reference)))
            .Select(x => new Unstored(x.c, x.p, ContractPeriodIds.Of(x.c.Id, x.p.Reference))).ToList();
    }

    /// <summary>
    /// Stores the periods of a customer's contracts billable on or before <paramref name="horizon"/> that have no row yet
    /// (only those in <paramref name="only"/> when given), each under its period id: what a billing is about to bill.
    /// Racing billings store each period once (the loser finds the row and, after locking it, that it is billed).
    /// </summary>
    public static async Task MaterializeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long customerId, DateOnly horizon,
        IReadOnlyCollection<long>? only, DateTimeOffset now, CancellationToken ct)
    {
        List<long>? contractIds = null;
        if (only is not null)
        {
            contractIds = only.Select(id => ContractPeriodIds.TryParse(id, out var k, out _) ? k : 0).Where(k => k > 0).Distinct().ToList();
            if (contractIds.Count == 0) return;
        }
        var contracts = await ContractsAsync(conn, tx, [customerId], contractIds, horizon, ct);
        var missing = await UnstoredAsync(conn, tx, contracts, horizon, ct);
        if (only is not null) missing = missing.Where(m => only.Contains(m.Id)).ToList();
        if (missing.Count == 0) return;
        await using var ins = new NpgsqlCommand(
            """
            INSERT INTO billing_pending_items (id, customer_id, source, contract_id, reference, item_date, due_date, created_at)
            SELECT i, c, 'contrato', k, r, d, v, @now FROM unnest(@i, @k, @c, @r, @d, @v) AS x(i, k, c, r, d, v)
            ON CONFLICT DO NOTHING
            """, conn, tx);
        ins.Parameters.AddWithValue("i", missing.Select(m => m.Id).ToArray());
        ins.Parameters.AddWithValue("k", missing.Select(m => m.Contract.Id).ToArray());
        ins.Parameters.AddWithValue("c", missing.Select(m => m.Contract.Customer).ToArray());
        ins.Parameters.AddWithValue("r", missing.Select(m => m.Period.Reference).ToArray());
        ins.Parameters.AddWithValue("d", missing.Select(m => m.Period.ItemDate).ToArray());
        ins.Parameters.AddWithValue("v", missing.Select(m => m.Period.DueDate).ToArray());
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

    /// <summary>
    /// Unbilled items matching the filter: the stored ones (avulsos, periods stored by a billing) and the contract periods
    /// computed now that have no row yet, under their period ids. Writes nothing.
    /// </summary>
    public static async Task<List<PendingItem>> PendingAsync(NpgsqlConnection conn, PendingFilter f, DateOnly horizon, IGrainFactory cluster,
        CancellationToken ct)
    {
        List<Row> rows;
        await using (var cmd = new NpgsqlCommand(
            ItemSql +
            """

            WHERE i.billing_id IS NULL
              AND (@c::bigint[] IS NULL OR i.customer_id = ANY(@c))
              AND (@base::date IS NULL OR i.item_date <= @base)
              AND (@due::date IS NULL OR i.due_date = @due)
              AND ((@contracts AND i.source = 'contrato') OR (@avulsos AND i.source = 'avulso'))
              AND (a.id IS NULL OR a.deleted_at IS NULL)
            """, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)f.CustomerIds?.ToArray() ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("base", NpgsqlDbType.Date) { Value = (object?)f.BaseDate ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("due", NpgsqlDbType.Date) { Value = (object?)f.DueDate ?? DBNull.Value });
            cmd.Parameters.AddWithValue("contracts", f.Contracts);
            cmd.Parameters.AddWithValue("avulsos", f.Avulsos);
            rows = await ReadRowsAsync(cmd, ct);
        }
        if (f.Contracts)
        {
            // a period's item date is never after its due date (dueDays >= 0): the due date bounds the periods to look at
            var contracts = await ContractsAsync(conn, null, f.CustomerIds, null, horizon, ct);
            foreach (var (c, p, id) in await UnstoredAsync(conn, null, contracts, horizon, ct))
                if (f.DueDate is null || p.DueDate == f.DueDate)
                    rows.Add(new Row(id, c.Customer, "contrato", c.Id, null, p.Reference, p.ItemDate, p.DueDate, null, c.Name, c.Kind, c.Timing,
                        c.Account, c.Did, c.Amount, c.DidFee, null, null, false, c.Start));
        }
        rows.Sort((x, y) => x.Customer != y.Customer ? x.Customer.CompareTo(y.Customer) : x.Date != y.Date ? x.Date.CompareTo(y.Date) : x.Id.CompareTo(y.Id));
        return await ComputeAsync(conn, null, rows, cluster, ct);
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
        return await ComputeAsync(conn, tx, await ReadRowsAsync(cmd, ct), cluster, ct);
    }

    private static async Task<List<Row>> ReadRowsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<Row>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rows.Add(Read(r));
        return rows;
    }

    private static async Task<List<PendingItem>> ComputeAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, List<Row> rows, IGrainFactory cluster,
        CancellationToken ct)
    {
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
                    var usage = string.CompareOrdinal(usagePeriod, startRef) < 0 ? [] : await UsageAsync(conn, tx, account, usagePeriod, ct);
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
