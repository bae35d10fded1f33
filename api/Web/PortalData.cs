using System.Globalization;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Invoicing;
using Npgsql;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Web;

public sealed record PortalInvoice(long Id, long? Number, string Period, string Status, DateOnly DueDate, int Calls, decimal Total,
    DateTimeOffset? PaidAt = null);

public sealed record PortalOpenInvoice(string Period, int Calls, decimal CallsTotal, decimal MonthlyFee, decimal DidFees, decimal Total);

public sealed record PortalCall(DateTimeOffset StartedAt, string? Number, string? CallType, int DurationSeconds, decimal Amount);

public sealed record PortalCallPage(IReadOnlyList<PortalCall> Items, int Page, int PageSize, long Total)
{
    public int Pages => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record PortalDid(string Number, bool SigameEnabled, string? SigameDestination, bool AcceptsCollect);

/// <summary>Month (yyyy-MM, America/Sao_Paulo) → call counts by chart series.</summary>
public sealed record PortalMonthCounts(string Month, int Local, int Ldn, int Ldi, int Movel);

/// <summary>
/// Read side of the portal: every query is bound to one circuit (the logged-in account) and, when the circuit
/// was moved between customers, to what belongs to its current customer (invoices of that customer; calls
/// since the last move). Drafts (RASCUNHO) are never returned.
/// </summary>
public sealed class PortalData(NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock)
{
    public const int CallsPageSize = 50;

    public TimeProvider Clock => clock;

    public async Task<string?> CustomerNameAsync(long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT nome FROM customers WHERE id = @id");
        cmd.Parameters.AddWithValue("id", customerId);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>
    /// Live totals of the open period from the circuit grain, plus the monthly fee and the DID fees: what the invoice of
    /// this period will charge (the invoice adds every DID the circuit held at any moment of the period, at its
    /// assignment's fee, the latest assignment winning — grains' InvoiceStore; same rule here).
    /// </summary>
    public async Task<PortalOpenInvoice> OpenInvoiceAsync(string account, CircuitView view, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(view);
        var period = BillingPeriod.Of(clock.GetUtcNow(), view.Data.Invoice.ClosingDay).Key;
        var totals = await cluster.Circuit(account).GetPeriodTotals(period);
        var calls = totals?.Total ?? 0m;
        var fee = view.Data.Invoice.MonthlyFee;
        var dids = await DidFeesAsync(account, period, view.Data.Invoice.ClosingDay, ct);
        return new PortalOpenInvoice(period, totals?.ByType.Sum(t => t.Count) ?? 0, calls, fee, dids, calls + fee + dids);
    }

    private async Task<decimal> DidFeesAsync(string account, string period, int closingDay, CancellationToken ct)
    {
        // the period runs from the closing day of its month, 00:00 in São Paulo, for one month
        await using var cmd = db.CreateCommand(
            """
            WITH p AS (SELECT make_timestamp(@y, @m, @d, 0, 0, 0) AS start_local)
            SELECT coalesce(sum(fee), 0) FROM (
                SELECT DISTINCT ON (number) monthly_fee AS fee FROM did_assignments, p
                WHERE account = @a
                  AND active_from < ((p.start_local + interval '1 month') AT TIME ZONE 'America/Sao_Paulo')
                  AND (active_to IS NULL OR active_to > (p.start_local AT TIME ZONE 'America/Sao_Paulo'))
                ORDER BY number, active_from DESC, id DESC) held
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("y", int.Parse(period.AsSpan(0, 4), CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("m", int.Parse(period.AsSpan(5, 2), CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("d", Math.Clamp(closingDay, 1, 28));
        return (decimal)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Issued invoices (never drafts) of the circuit under its current customer, newest first.</summary>
    public async Task<IReadOnlyList<PortalInvoice>> InvoicesAsync(string account, long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, number, period, status, due_date, calls_count, total, paid_at FROM invoices
            WHERE account = @a AND customer_id = @c AND status <> 'RASCUNHO'
            ORDER BY period DESC, id DESC
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("c", customerId);
        var list = new List<PortalInvoice>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new PortalInvoice(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3),
                DateOnly.FromDateTime(r.GetDateTime(4)), r.GetInt32(5), r.GetDecimal(6),
                r.IsDBNull(7) ? null : new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero)));
        return list;
    }

    /// <summary>The PDF of one of the circuit's issued invoices; null when it is not this circuit's (or a draft).</summary>
    public async Task<InvoiceDocument?> InvoicePdfAsync(string account, long customerId, long invoiceId, CancellationToken ct)
    {
        await using (var cmd = db.CreateCommand(
            "SELECT 1 FROM invoices WHERE id = @id AND account = @a AND customer_id = @c AND status <> 'RASCUNHO'"))
        {
            cmd.Parameters.AddWithValue("id", invoiceId);
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("c", customerId);
            if (await cmd.ExecuteScalarAsync(ct) is null) return null;
        }
        var doc = await cluster.Invoice(invoiceId).Render(InvoiceDocumentKind.Pdf);
        return doc;
    }

    /// <summary>Calls of this circuit are its customer's only since the circuit's last move.</summary>
    private async Task<DateTime?> SinceAsync(NpgsqlConnection conn, string account, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT max(moved_at) FROM circuit_moves WHERE account = @a", conn);
        cmd.Parameters.AddWithValue("a", account);
        return await cmd.ExecuteScalarAsync(ct) is DateTime d ? d : null;
    }

    public static DateTime StartOfDayUtc(DateOnly day) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), SaoPauloTime.Zone);

    public static DateTimeOffset ToSaoPaulo(DateTimeOffset at) => SaoPauloTime.Local(at);

    /// <summary>Calls made (outbound) or received (inbound), newest first, filtered by day range and number digits.</summary>
    public async Task<PortalCallPage> CallsAsync(string account, bool inbound, DateOnly? from, DateOnly? to, string? numberDigits,
        int page, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var since = await SinceAsync(conn, account, ct);
        await using var cmd = new NpgsqlCommand(
            $"""
             SELECT started_at, {(inbound ? "caller" : "coalesce(destination, normalized)")}, call_type, coalesce(duration_seconds, 0),
                    -amount, count(*) OVER ()
             FROM ledger
             WHERE account = @a AND kind = 'call' AND direction = @d
               AND (@since::timestamptz IS NULL OR started_at >= @since)
               AND (@from::timestamptz IS NULL OR started_at >= @from)
               AND (@to::timestamptz IS NULL OR started_at < @to)
               AND (@q::text IS NULL OR {(inbound ? "caller" : "destination")} LIKE @q OR {(inbound ? "caller" : "normalized")} LIKE @q)
             ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset
             """, conn);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("d", inbound ? "inbound" : "outbound");
        cmd.Parameters.Add(new NpgsqlParameter("since", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)since ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz)
            { Value = from is { } f ? StartOfDayUtc(f) : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz)
            { Value = to is { } t ? StartOfDayUtc(t.AddDays(1)) : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("q", NpgsqlTypes.NpgsqlDbType.Text)
            { Value = string.IsNullOrEmpty(numberDigits) ? DBNull.Value : "%" + numberDigits + "%" });
        cmd.Parameters.AddWithValue("limit", CallsPageSize);
        cmd.Parameters.AddWithValue("offset", (long)(page - 1) * CallsPageSize);
        var items = new List<PortalCall>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                items.Add(new PortalCall(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.IsDBNull(1) ? null : r.GetString(1),
                    r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), r.GetDecimal(4)));
                total = r.GetInt64(5);
            }
        return new PortalCallPage(items, page, CallsPageSize, total);
    }

    /// <summary>Outbound call counts per month (America/Sao_Paulo) of the last <paramref name="months"/> months, oldest first.</summary>
    public async Task<IReadOnlyList<PortalMonthCounts>> MonthlyCountsAsync(string account, int months, CancellationToken ct)
    {
        var first = BillingPeriod.Of(clock.GetUtcNow()).AddMonths(-(months - 1));
        var keys = Enumerable.Range(0, months).Select(i => first.AddMonths(i).Key).ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var since = await SinceAsync(conn, account, ct);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT m.ref, l.call_type, count(*)
            FROM unnest(@months::text[]) AS m(ref)
            CROSS JOIN LATERAL billing_period(m.ref) AS b
            JOIN ledger l ON l.account = @a AND l.kind = 'call' AND l.direction = 'outbound'
                         AND l.started_at >= b.period_start AND l.started_at < b.period_end
                         AND (@since::timestamptz IS NULL OR l.started_at >= @since)
            GROUP BY 1, 2
            """, conn);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("months", keys);
        cmd.Parameters.Add(new NpgsqlParameter("since", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)since ?? DBNull.Value });
        var counts = new Dictionary<(string, string), int>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                counts[(r.GetString(0), r.IsDBNull(1) ? "" : r.GetString(1))] = (int)r.GetInt64(2);
        var list = new List<PortalMonthCounts>(months);
        foreach (var m in keys)
        {
            int C(string type) => counts.GetValueOrDefault((m, type));
            list.Add(new PortalMonthCounts(m, C("local_fixo"), C("ldn_fixo"), C("ldi"), C("local_movel") + C("ldn_movel")));
        }
        return list;
    }

    /// <summary>The DIDs in service on this circuit now.</summary>
    public async Task<IReadOnlyList<PortalDid>> DidsAsync(string account, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT number, sigame_enabled, sigame_destination, accepts_collect FROM dids
            WHERE account = @a AND active_from <= @now AND (active_to IS NULL OR active_to > @now)
            ORDER BY number
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        var list = new List<PortalDid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new PortalDid(r.GetString(0), r.GetBoolean(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetBoolean(3)));
        return list;
    }

    /// <summary>The DID grain when <paramref name="number"/> is in service on this circuit now; null otherwise (another circuit's, unknown, released).</summary>
    public async Task<(IDidGrain Grain, DidView View)?> OwnDidAsync(string account, string? number)
    {
        if (DidNumbers.Normalize(number) is not { } n) return null;
        var grain = cluster.Did(n);
        var view = await grain.Get();
        if (view is null || !string.Equals(view.Account, account, StringComparison.Ordinal) || !view.IsActive(clock.GetUtcNow())) return null;
        return (grain, view);
    }
}
