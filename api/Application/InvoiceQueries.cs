using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>
/// Read-only queries of invoices (the <c>invoices</c> read model, written by the invoice grains), shared by
/// <c>GET /api/invoices</c> and the admin invoice list; the filters' parsing is shared with the customer's invoices.
/// </summary>
public sealed class InvoiceQueries(NpgsqlDataSource db)
{
    /// <summary>One page of invoices by customer, circuit, period range (from/to) and status; the latest period first.</summary>
    public async Task<CommandResult<PagedResult<InvoiceListItem>>> List(long? customerId, string? account, string? from, string? to,
        string? status, int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var f = PeriodArg(from, "from", errors);
        var t = PeriodArg(to, "to", errors);
        var s = StatusArg(status, errors);
        if (errors.Any) return errors.Invalid<PagedResult<InvoiceListItem>>();
        await using var cmd = db.CreateCommand(
            $"""
             SELECT {ListColumns}, count(*) OVER () FROM invoices WHERE {Where}
             ORDER BY period DESC, account, id DESC LIMIT @limit OFFSET @offset
             """);
        Filters(cmd, customerId, account, f, t, s);
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<InvoiceListItem>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                items.Add(ReadItem(r));
                total = r.GetInt64(11);
            }
        return CommandResult<PagedResult<InvoiceListItem>>.Ok(Paging.Of(items, p, size, total));
    }

    private static readonly BillingPeriod MinFilterPeriod = new(2000, 1);
    private static readonly BillingPeriod MaxFilterPeriod = new(2099, 12);

    /// <summary>A period filter (MM/yyyy or yyyy-MM) or a date yyyy-MM-dd (its month) → the period key.</summary>
    internal static string? PeriodArg(string? value, string field, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        if (v.Length == 10 && DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            v = BillingPeriod.Of(day).Key;
        if (BillingPeriod.Read(v, field, out var period) is { } bad)
        {
            errors.Add(field, bad);
            return null;
        }
        // a filter, not a write: an absolute window (no invoice exists outside it) keeps typos out
        if (period >= MinFilterPeriod && period <= MaxFilterPeriod) return period.Key;
        errors.Add(field, $"Use em '{field}' um período entre {MinFilterPeriod.Label} e {MaxFilterPeriod.Label}.");
        return null;
    }

    internal const string ListColumns = "id, number, account, circuit_name, customer_id, period, status, due_date, calls_count, total, issued_at";

    internal static InvoiceListItem ReadItem(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetString(6),
        r.GetString(6) != InvoiceStatus.Rascunho, DateOnly.FromDateTime(r.GetDateTime(7)), r.GetInt32(8), r.GetDecimal(9),
        r.IsDBNull(10) ? null : new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero));

    internal static void Filters(NpgsqlCommand cmd, long? customerId, string? account, string? from, string? to, string? status)
    {
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)account ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)from ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)to ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
    }

    internal const string Where =
        """
        (@c::bigint IS NULL OR customer_id = @c) AND (@a::text IS NULL OR account = @a)
        AND (@from::text IS NULL OR period >= @from) AND (@to::text IS NULL OR period <= @to) AND (@s::text IS NULL OR status = @s)
        """;

    internal static string? StatusArg(string? status, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(status)) return null;
        var s = status.Trim().ToUpperInvariant();
        if (!InvoiceStatus.IsValid(s)) errors.Add("status", "Use RASCUNHO, ABERTO, FECHADO ou ANULADO.");
        return s;
    }

    /// <summary>The circuits an invoice generation covers: one account, a customer's (also circuits moved in or out), or all.</summary>
    public async Task<List<string>> GenerateAccounts(string? account, long? customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT account FROM circuits c
            WHERE deleted_at IS NULL
              AND (@a::text IS NULL OR account = @a)
              AND (@c::bigint IS NULL OR customer_id = @c
                   OR EXISTS (SELECT 1 FROM circuit_moves m WHERE m.account = c.account AND (m.from_customer_id = @c OR m.to_customer_id = @c)))
            ORDER BY account
            """);
        cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)account ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        var accounts = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) accounts.Add(r.GetString(0));
        return accounts;
    }

    /// <summary>Every invoice of a customer in the filter, newest period first.</summary>
    public async Task<List<InvoiceListItem>> OfCustomer(long id, string? from, string? to, string? status, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {ListColumns} FROM invoices WHERE {Where} ORDER BY period DESC, account, id");
        Filters(cmd, id, null, from, to, status);
        var items = new List<InvoiceListItem>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) items.Add(ReadItem(r));
        return items;
    }

    public async Task<bool> CustomerExists(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM customers WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>A customer's live circuits.</summary>
    public async Task<List<string>> CustomerAccounts(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT account FROM circuits WHERE customer_id = @c AND deleted_at IS NULL ORDER BY account");
        cmd.Parameters.AddWithValue("c", id);
        var accounts = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) accounts.Add(r.GetString(0));
        return accounts;
    }

    /// <summary>The e-mail outbox (written by the grains, sent by the silos), newest 500, optionally of one status.</summary>
    public async Task<List<OutboxItem>> Outbox(string? status, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, kind, invoice_id, recipients, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at
            FROM outbox WHERE (@s::text IS NULL OR status = @s) ORDER BY id DESC LIMIT 500
            """);
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
        var items = new List<OutboxItem>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                items.Add(new OutboxItem(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetFieldValue<string[]>(3),
                    r.GetString(4), r.GetString(5), r.GetInt32(6), new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero),
                    r.IsDBNull(8) ? null : r.GetString(8), new DateTimeOffset(r.GetDateTime(9), TimeSpan.Zero),
                    r.IsDBNull(10) ? null : new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero)));
        return items;
    }
}
