using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Registration;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Api.Application;

/// <summary>A stored file read back (an attachment download).</summary>
public sealed record StoredFile(string Name, string ContentType, byte[] Content);

/// <summary>
/// Read-only queries of pending billing (the <c>billing_*</c> tables written by the pending-billing grain, the ledger for
/// the calls of a report): contracts, one-off charges, billings ("runs") with their items, history and attachments, and
/// the closing report's content. Shared by <c>/api/billing</c> and the admin pages.
/// </summary>
public sealed class BillingQueries(NpgsqlDataSource db, IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>The public link of an avulso's attachment, printed in reports (the customer has no admin login).</summary>
    private readonly IDataProtector _links = protection.CreateProtector("Billing.AvulsoAttachmentLink.v1");

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    public async Task<string?> CustomerName(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT nome FROM customers WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>Names of customers by id (deleted ones too: an old contract still shows whose it was).</summary>
    public async Task<Dictionary<long, string>> CustomerNames(IEnumerable<long> ids, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT id, nome FROM customers WHERE id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", ids.Distinct().ToArray());
        var map = new Dictionary<long, string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }

    public async Task<bool> CircuitExists(string account, CancellationToken ct) =>
        await Exists("SELECT 1 FROM circuits WHERE account = @v AND deleted_at IS NULL", account, ct);

    public async Task<bool> DidExists(string number, CancellationToken ct) => await Exists("SELECT 1 FROM dids WHERE number = @v", number, ct);

    private async Task<bool> Exists(string sql, object value, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("v", value);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    // ---------------------------------------------------------------- contracts

    private const string ContractColumns =
        "id, customer_id, name, kind, account, did_number, amount, timing, day_of_month, due_days, start_date, end_date, created_at, updated_at";

    private static ContractResponse ReadContract(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetDecimal(6), r.GetString(7), r.GetInt32(8), r.GetInt32(9), r.GetFieldValue<DateOnly>(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateOnly>(11), Utc(r.GetDateTime(12)), Utc(r.GetDateTime(13)));

    public async Task<IReadOnlyList<ContractResponse>> Contracts(long? customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {ContractColumns} FROM billing_contracts WHERE deleted_at IS NULL AND (@c::bigint IS NULL OR customer_id = @c) ORDER BY customer_id, id");
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        var list = new List<ContractResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadContract(r));
        return list;
    }

    public async Task<ContractResponse?> Contract(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {ContractColumns} FROM billing_contracts WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadContract(r) : null;
    }

    // ---------------------------------------------------------------- avulsos

    private const string AvulsoSelect =
        """
        SELECT a.id, a.customer_id, a.date, a.due_date, a.description, a.amount, i.id, i.billing_id, a.attachment_name, a.created_at, a.updated_at
        FROM billing_avulsos a LEFT JOIN billing_pending_items i ON i.avulso_id = a.id
        """;

    private static AvulsoResponse ReadAvulso(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.GetFieldValue<DateOnly>(3), r.GetString(4), r.GetDecimal(5),
        r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8),
        Utc(r.GetDateTime(9)), Utc(r.GetDateTime(10)));

    public async Task<IReadOnlyList<AvulsoResponse>> Avulsos(long? customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AvulsoSelect +
            " WHERE a.deleted_at IS NULL AND (@c::bigint IS NULL OR a.customer_id = @c) ORDER BY a.customer_id, a.date, a.id");
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        var list = new List<AvulsoResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadAvulso(r));
        return list;
    }

    public async Task<AvulsoResponse?> Avulso(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AvulsoSelect + " WHERE a.id = @id AND a.deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadAvulso(r) : null;
    }

    public async Task<StoredFile?> AvulsoAttachment(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT attachment_name, attachment_content_type, attachment FROM billing_avulsos WHERE id = @id AND attachment IS NOT NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new StoredFile(r.GetString(0), r.GetString(1), r.GetFieldValue<byte[]>(2)) : null;
    }

    /// <summary>The token of an avulso attachment's public link (<see cref="AvulsoAttachmentByToken"/>).</summary>
    public string AttachmentToken(long avulsoId) => _links.Protect(avulsoId.ToString(CultureInfo.InvariantCulture));

    /// <summary>The attachment a report's link points to; null when the token is not one of ours or the file is gone.</summary>
    public async Task<StoredFile?> AvulsoAttachmentByToken(string token, CancellationToken ct)
    {
        string plain;
        try
        {
            plain = _links.Unprotect(token);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        return long.TryParse(plain, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? await AvulsoAttachment(id, ct) : null;
    }

    // ---------------------------------------------------------------- billings (runs)

    private const string RecordColumns =
        """
        b.id, b.customer_id, coalesce(c.nome, ''), b.status, b.billing_date, b.due_date, b.total, b.discount, b.interest, b.valor_real, b.nfe_number,
        b.notes, b.idempotency_key, b.created_at, b.created_by, b.cancelled_at, b.cancelled_by, b.cancel_reason
        """;

    /// <summary>A billing with its items, history and attachments; null when not found.</summary>
    public async Task<BillingResponse?> Billing(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        BillingResponse? head;
        await using (var cmd = new NpgsqlCommand($"SELECT {RecordColumns} FROM billing_records b LEFT JOIN customers c ON c.id = b.customer_id WHERE b.id = @id", conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return null;
            head = new BillingResponse(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                r.GetFieldValue<DateOnly>(5), r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8), r.GetDecimal(9), r.IsDBNull(10) ? null : r.GetString(10),
                r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12), Utc(r.GetDateTime(13)), r.GetString(14),
                r.IsDBNull(15) ? null : Utc(r.GetDateTime(15)), r.IsDBNull(16) ? null : r.GetString(16), r.IsDBNull(17) ? null : r.GetString(17),
                [], [], []);
        }
        var items = new List<BilledItem>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT pending_item_id, source, description, reference, item_date, due_date, amount, details::text
            FROM billing_record_items WHERE billing_id = @id ORDER BY item_date, pending_item_id
            """, conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                items.Add(new BilledItem(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                    r.GetFieldValue<DateOnly>(5), r.GetDecimal(6), JsonSerializer.Deserialize<ItemDetails>(r.GetString(7), ItemDetails.Json)));
        }
        var history = new List<BillingHistoryEntry>();
        await using (var cmd = new NpgsqlCommand("SELECT id, at, actor, action, detail FROM billing_history WHERE billing_id = @id ORDER BY id", conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                history.Add(new BillingHistoryEntry(r.GetInt64(0), Utc(r.GetDateTime(1)), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        }
        var attachments = new List<BillingAttachmentInfo>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT id, file_name, content_type, size_bytes, sha256, created_at, created_by FROM billing_attachments WHERE billing_id = @id ORDER BY id", conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                attachments.Add(new BillingAttachmentInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetString(4),
                    Utc(r.GetDateTime(5)), r.GetString(6)));
        }
        return head with { Items = items, History = history, Attachments = attachments };
    }

    public async Task<StoredFile?> Attachment(long billingId, long attachmentId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT file_name, content_type, content FROM billing_attachments WHERE id = @a AND billing_id = @b");
        cmd.Parameters.AddWithValue("a", attachmentId);
        cmd.Parameters.AddWithValue("b", billingId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new StoredFile(r.GetString(0), r.GetString(1), r.GetFieldValue<byte[]>(2)) : null;
    }

    // ---------------------------------------------------------------- history

    /// <summary>A yyyy-MM-dd filter date inside the sane window around today (<see cref="InputRules.Day"/>).</summary>
    internal static DateOnly? DateArg(string? value, string field, FieldErrors errors, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            if (InputRules.Day(d, today) is not { } problem) return d;
            errors.Add(field, problem);
            return null;
        }
        errors.Add(field, "Use a data no formato aaaa-MM-dd.");
        return null;
    }

    // ---------------------------------------------------------------- pending

    /// <summary>
    /// The pending list's filter: baseDate (everything dated on or before it; today when neither date is given) or dueDate
    /// (due exactly then), up to <see cref="BillingRules.PendingYearsAhead"/> years ahead; customer ids (or all); kind
    /// (contracts, avulsos, all). Null with the field errors when the input is bad.
    /// </summary>
    internal static PendingFilter? PendingFilterArg(string? baseDate, string? dueDate, string? customerIds, string? kind, TimeProvider clock,
        FieldErrors errors)
    {
        var today = SaoPauloTime.Today(clock);
        var b = DateArg(baseDate, "baseDate", errors, today);
        var d = DateArg(dueDate, "dueDate", errors, today);
        if (b is not null && d is not null) errors.Add("dueDate", "Use baseDate (tudo até a data) ou dueDate (vencimento exato), não os dois.");
        var limit = today.AddYears(BillingRules.PendingYearsAhead);
        if (b > limit) errors.Add("baseDate", "Data base até 5 anos à frente.");
        if (d > limit) errors.Add("dueDate", "Vencimento até 5 anos à frente.");
        List<long>? ids = null;
        if (!string.IsNullOrWhiteSpace(customerIds) && !customerIds.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            ids = [];
            foreach (var part in customerIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) ids.Add(id);
                else
                {
                    errors.Add("customerIds", "Use um id de cliente, uma lista separada por vírgulas ou 'all'.");
                    break;
                }
        }
        var k = string.IsNullOrWhiteSpace(kind) ? "all" : kind.Trim().ToLowerInvariant();
        if (k is not ("contracts" or "avulsos" or "all")) errors.Add("kind", "Use contracts, avulsos ou all.");
        if (errors.Any) return null;
        return new PendingFilter(b ?? (d is null ? today : null), d, ids, k != "avulsos", k != "contracts");
    }

    /// <summary>Pending items as the list shows them: one row per customer (by name) with its items and total.</summary>
    public async Task<PendingResponse> PendingList(PendingFilter filter, IReadOnlyList<PendingItem> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(items);
        var names = await CustomerNames(items.Select(i => i.CustomerId), ct);
        var customers = items.GroupBy(i => i.CustomerId)
            .Select(g => new PendingCustomer(g.Key, names.GetValueOrDefault(g.Key, ""), g.Count(), g.Sum(i => i.Amount), g.ToList()))
            .OrderBy(c => c.CustomerName, StringComparer.Ordinal).ThenBy(c => c.CustomerId)
            .ToList();
        var kind = filter.Contracts && filter.Avulsos ? "all" : filter.Contracts ? "contracts" : "avulsos";
        return new PendingResponse(filter.BaseDate, filter.DueDate, kind, customers, customers.Sum(c => c.Total));
    }

    /// <summary>Billing history: billing date between from and to, customer, NFe number (exact), status; newest first.</summary>
    public async Task<CommandResult<PagedResult<BillingListItem>>> History(string? from, string? to, long? customerId, string? nfe, string? status,
        int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var today = SaoPauloTime.Today(clock);
        var f = DateArg(from, "from", errors, today);
        var t = DateArg(to, "to", errors, today);
        if (InputRules.Text(nfe, 60) is { } badNfe) errors.Add("nfe", badNfe);
        var s = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToUpperInvariant();
        if (s is not (null or BillingStatus.Faturado or BillingStatus.Cancelado)) errors.Add("status", "Use FATURADO ou CANCELADO.");
        if (errors.Any) return errors.Invalid<PagedResult<BillingListItem>>();
        await using var cmd = db.CreateCommand(
            """
            SELECT b.id, b.customer_id, coalesce(c.nome, ''), b.status, b.billing_date, b.due_date, b.total, b.discount, b.interest, b.valor_real,
                   b.nfe_number, (SELECT count(*)::int FROM billing_record_items i WHERE i.billing_id = b.id),
                   (SELECT count(*)::int FROM billing_attachments a WHERE a.billing_id = b.id), b.created_at, count(*) OVER ()
            FROM billing_records b LEFT JOIN customers c ON c.id = b.customer_id
            WHERE (@f::date IS NULL OR b.billing_date >= @f) AND (@t::date IS NULL OR b.billing_date <= @t)
              AND (@c::bigint IS NULL OR b.customer_id = @c) AND (@nfe::text IS NULL OR b.nfe_number = @nfe)
              AND (@s::text IS NULL OR b.status = @s)
            ORDER BY b.billing_date DESC, b.id DESC LIMIT @limit OFFSET @offset
            """);
        cmd.Parameters.Add(new NpgsqlParameter("f", NpgsqlDbType.Date) { Value = (object?)f ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Date) { Value = (object?)t ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("nfe", NpgsqlDbType.Text) { Value = string.IsNullOrWhiteSpace(nfe) ? DBNull.Value : nfe.Trim() });
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Text) { Value = (object?)s ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<BillingListItem>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                items.Add(new BillingListItem(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateOnly>(4),
                    r.GetFieldValue<DateOnly>(5), r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8), r.GetDecimal(9), r.IsDBNull(10) ? null : r.GetString(10),
                    r.GetInt32(11), r.GetInt32(12), Utc(r.GetDateTime(13))));
                total = r.GetInt64(14);
            }
        return CommandResult<PagedResult<BillingListItem>>.Ok(Paging.Of(items, p, size, total));
    }

    // ---------------------------------------------------------------- reports

    public async Task<(string Name, string? Document)> Customer(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT nome, documento FROM customers WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return ("", null);
        return (r.GetString(0), TaxId.Format(r.GetString(1)));
    }

    internal static BillingReportItem ReportItem(string source, string description, string reference, DateOnly date, DateOnly due, decimal amount,
        ItemDetails? d) => new()
    {
        Source = source,
        Description = description,
        Reference = reference,
        Date = date,
        DueDate = due,
        Amount = amount,
        MonthlyFee = d?.MonthlyFee,
        UsagePeriod = d?.UsagePeriod,
        Usage = d?.Usage is { } u ? [.. u.Select(x => new BillingReportUsage(x.CallType, x.Calls, x.Seconds, x.Amount))] : [],
        Account = d?.Account,
    };

    /// <summary>
    /// The closing report of a billing in one of <see cref="BillingReportKinds"/>: its billed items, each avulso's attachment
    /// as a link under <paramref name="linkBase"/> (scheme://host of the request), and for the kinds with calls every
    /// rated call of each circuit item's usage period. Null when the billing does not exist.
    /// </summary>
    public async Task<BillingReport?> Report(long id, string kind, string linkBase, CancellationToken ct)
    {
        var b = await Billing(id, ct);
        if (b is null) return null;
        var (name, document) = await Customer(b.CustomerId, ct);
        var files = await AvulsoFiles(id, ct);
        var items = new List<BillingReportItem>();
        foreach (var i in b.Items)
        {
            var item = await LineAsync(i.Source, i.Description, i.Reference, i.Date, i.DueDate, i.Amount, i.Details, kind, ct);
            if (files.TryGetValue(i.ItemId, out var f))
                item = item with { AttachmentName = f.Name, AttachmentUrl = linkBase.TrimEnd('/') + "/faturamento/anexos/" + Uri.EscapeDataString(AttachmentToken(f.AvulsoId)) };
            items.Add(item);
        }
        return new BillingReport
        {
            Title = "Faturamento " + id.ToString(CultureInfo.InvariantCulture),
            Detailed = kind != BillingReportKinds.Sintetico,
            Kind = kind,
            Status = b.Status,
            CustomerName = name,
            CustomerDocument = document,
            BillingDate = b.BillingDate,
            DueDate = b.DueDate,
            Total = b.Total,
            Discount = b.Discount,
            Interest = b.Interest,
            ValorReal = b.ValorReal,
            NfeNumber = b.NfeNumber,
            Notes = b.Notes,
            Items = [.. items],
            Attachments = [.. b.Attachments.Select(a => a.FileName)],
            GeneratedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>"Prévia": a customer's pending items as an unbilled closing report; null when the customer does not exist.</summary>
    public async Task<BillingReport?> PreviewReport(long customerId, IReadOnlyList<PendingItem> items, string kind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        var (name, document) = await Customer(customerId, ct);
        if (name.Length == 0) return null;
        var total = GrainInterfaces.Common.Money.Round(items.Sum(i => i.Amount));
        return new BillingReport
        {
            Title = "Prévia de faturamento",
            Detailed = kind != BillingReportKinds.Sintetico,
            Kind = kind,
            Status = "PRÉVIA",
            CustomerName = name,
            CustomerDocument = document,
            Total = total,
            ValorReal = total,
            Notes = items.Count == 0 ? "Nenhum item pendente." : BillingRules.DefaultNotes(items.Select(i => i.Description)),
            Items = [.. await PreviewItems(items, kind, ct)],
            GeneratedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>Pending items as report lines (a preview before billing), with their calls for the kinds that print them.</summary>
    public async Task<IReadOnlyList<BillingReportItem>> PreviewItems(IEnumerable<PendingItem> pending, string kind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var items = new List<BillingReportItem>();
        foreach (var i in pending)
            items.Add(await LineAsync(i.Source, i.Description, i.Reference, i.Date, i.DueDate, i.Amount, i.Details, kind, ct));
        return items;
    }

    /// <summary>One report line, with its circuit's rated calls for the kinds that print them.</summary>
    private async Task<BillingReportItem> LineAsync(string source, string description, string reference, DateOnly date, DateOnly due,
        decimal amount, ItemDetails? details, string kind, CancellationToken ct)
    {
        var item = ReportItem(source, description, reference, date, due, amount, details);
        return BillingReportKinds.WithCalls(kind) && details is { Account: { } account, UsagePeriod: { } period, Usage.Count: > 0 }
            ? item with { Calls = await Calls(account, period, ct) }
            : item;
    }

    /// <summary>The billed avulsos of a billing that carry an attachment, by pending item id.</summary>
    private async Task<Dictionary<long, (long AvulsoId, string Name)>> AvulsoFiles(long billingId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT ri.pending_item_id, a.id, a.attachment_name
            FROM billing_record_items ri JOIN billing_pending_items pi ON pi.id = ri.pending_item_id JOIN billing_avulsos a ON a.id = pi.avulso_id
            WHERE ri.billing_id = @b AND a.attachment_name IS NOT NULL
            """);
        cmd.Parameters.AddWithValue("b", billingId);
        var map = new Dictionary<long, (long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = (r.GetInt64(1), r.GetString(2));
        return map;
    }

    /// <summary>Every rated call of a circuit in a period, in order (the charges the usage lines add up).</summary>
    private async Task<ImmutableArray<BillingReportCall>> Calls(string account, string period, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT coalesce(started_at, created_at), coalesce(destination, ''), coalesce(call_type, 'desconhecido'), coalesce(billed_seconds, 0), -amount
            FROM ledger WHERE account = @a AND period = @p AND kind = 'call' ORDER BY 1, id
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("p", period);
        var list = ImmutableArray.CreateBuilder<BillingReportCall>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new BillingReportCall(Utc(r.GetDateTime(0)), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetDecimal(4)));
        return list.ToImmutable();
    }
}
