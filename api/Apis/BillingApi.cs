using System.Globalization;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;
using Npgsql;
using NpgsqlTypes;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Apis;

public sealed record ContractRequest(long? CustomerId, string? Name, string? Kind, string? Account, string? DidNumber, decimal? Amount,
    string? Timing, int? DayOfMonth, int? DueDays, DateOnly? StartDate, DateOnly? EndDate);

public sealed record ContractResponse(long Id, long CustomerId, string Name, string Kind, string? Account, string? DidNumber, decimal? Amount,
    string Timing, int DayOfMonth, int DueDays, DateOnly StartDate, DateOnly? EndDate, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record AvulsoRequest(long? CustomerId, DateOnly? Date, DateOnly? DueDate, string? Description, decimal? Amount);

public sealed record AvulsoResponse(long Id, long CustomerId, DateOnly Date, DateOnly DueDate, string Description, decimal Amount,
    long? PendingItemId, long? BillingId, string? AttachmentName, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record PendingResponse(DateOnly? BaseDate, DateOnly? DueDate, string Kind, IReadOnlyList<PendingCustomer> Customers, decimal Total);

public sealed record BillRequest(long? CustomerId, IReadOnlyList<long>? ItemIds, bool? All, DateOnly? BillingDate, DateOnly? BaseDate,
    decimal? Discount, decimal? Interest, string? NfeNumber, string? Notes, DateOnly? DueDate);

public sealed record CancelRequest(string? Reason);

public sealed record BilledItem(long ItemId, string Source, string Description, string Reference, DateOnly Date, DateOnly DueDate, decimal Amount,
    ItemDetails? Details);

public sealed record BillingHistoryEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Detail);

public sealed record BillingAttachmentInfo(long Id, string FileName, string ContentType, int SizeBytes, string Sha256, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record BillingResponse(long Id, long CustomerId, string CustomerName, string Status, DateOnly BillingDate, DateOnly DueDate,
    decimal Total, decimal Discount, decimal Interest, decimal ValorReal, string? NfeNumber, string Notes, string? IdempotencyKey,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? CancelledAt, string? CancelledBy, string? CancelReason,
    IReadOnlyList<BilledItem> Items, IReadOnlyList<BillingHistoryEntry> History, IReadOnlyList<BillingAttachmentInfo> Attachments);

public sealed record BillingListItem(long Id, long CustomerId, string CustomerName, string Status, DateOnly BillingDate, DateOnly DueDate,
    decimal Total, decimal Discount, decimal Interest, decimal ValorReal, string? NfeNumber, int ItemCount, int AttachmentCount, DateTimeOffset CreatedAt);

/// <summary>
/// Pending billing ("faturamentos pendentes"): contracts, one-off charges ("avulsos"), the pending list, billing
/// ("faturar", total or partial, idempotent), reversal ("estorno") and the searchable history.
/// The API validates and reads; every write is a command of the pending-billing grain (<see cref="IPendingBillingGrain"/>),
/// one transaction each, item rows locked (FOR UPDATE) so an item is billed by at most one live billing.
/// </summary>
public static partial class BillingApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapBillingApi(this IEndpointRouteBuilder app)
    {
        var c = app.MapGroup("/api/billing/contracts").WithTags("Faturamento").RequireAuthorization(Policies.Admin);
        c.MapPost("/", CreateContract);
        c.MapGet("/", ListContracts);
        c.MapGet("/{id:long}", GetContract);
        c.MapPut("/{id:long}", UpdateContract);
        c.MapDelete("/{id:long}", DeleteContract);

        var a = app.MapGroup("/api/billing/avulsos").WithTags("Faturamento").RequireAuthorization(Policies.Admin);
        a.MapPost("/", CreateAvulso);
        a.MapGet("/", ListAvulsos);
        a.MapGet("/{id:long}", GetAvulso);
        a.MapPut("/{id:long}", UpdateAvulso);
        a.MapDelete("/{id:long}", DeleteAvulso);

        var b = app.MapGroup("/api/billing").WithTags("Faturamento").RequireAuthorization(Policies.Admin);
        b.MapGet("/pending", Pending);
        b.MapPost("/", Bill);
        b.MapGet("/history", History);
        b.MapGet("/{id:long}", Get);
        b.MapPost("/{id:long}/cancel", Cancel);
        return app;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A yyyy-MM-dd filter or form date, inside the sane window around <paramref name="today"/> (<see cref="InputRules.Day"/>).</summary>
    private static DateOnly? DateArg(string? value, string field, FieldErrors errors, DateOnly today)
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

    private static void Money(decimal? v, string field, FieldErrors errors, bool required, bool positive = false)
    {
        if (v is null)
        {
            if (required) errors.Add(field, "Informe o valor.");
            return;
        }
        if (v < 0 || (positive && v == 0)) errors.Add(field, positive ? "O valor deve ser maior que zero." : "O valor não pode ser negativo.");
        else if (!GrainInterfaces.Common.Money.HasAtMostTwoDecimals(v.Value)) errors.Add(field, "Use no máximo 2 casas decimais (centavos).");
        else if (!GrainInterfaces.Common.Money.WithinCap(v.Value)) errors.Add(field, "Valor grande demais.");
    }

    private static async Task<string?> CustomerName(NpgsqlConnection conn, NpgsqlTransaction? tx, long id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT nome FROM customers WHERE id = @id AND deleted_at IS NULL", conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    private static async Task<bool> Exists(NpgsqlConnection conn, string sql, object value, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("v", value);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    // ---------------------------------------------------------------- pending

    internal static PendingFilter? ReadFilter(string? baseDate, string? dueDate, string? customerIds, string? kind, TimeProvider clock, FieldErrors errors)
    {
        var today = SaoPauloTime.Today(clock);
        var b = DateArg(baseDate, "baseDate", errors, today);
        var d = DateArg(dueDate, "dueDate", errors, today);
        if (b is not null && d is not null) errors.Add("dueDate", "Use baseDate (tudo até a data) ou dueDate (vencimento exato), não os dois.");
        var limit = SaoPauloTime.Today(clock).AddYears(5);
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
        return new PendingFilter(b ?? (d is null ? SaoPauloTime.Today(clock) : null), d, ids, k != "avulsos", k != "contracts");
    }

    internal static async Task<IResult> Pending(NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock, CancellationToken ct,
        string? baseDate = null, string? dueDate = null, string? customerIds = null, string? kind = null)
    {
        var errors = new FieldErrors();
        var f = ReadFilter(baseDate, dueDate, customerIds, kind, clock, errors);
        if (f is null) return errors.ToProblem();
        var items = await Owner(cluster).Pending(f);
        await using var conn = await db.OpenConnectionAsync(ct);
        var names = await Names(conn, items.Select(i => i.CustomerId).Distinct().ToArray(), ct);
        var customers = items.GroupBy(i => i.CustomerId)
            .Select(g => new PendingCustomer(g.Key, names.GetValueOrDefault(g.Key, ""), g.Count(), g.Sum(i => i.Amount), g.ToList()))
            .OrderBy(c => c.CustomerName, StringComparer.Ordinal).ThenBy(c => c.CustomerId)
            .ToList();
        var k = f.Contracts && f.Avulsos ? "all" : f.Contracts ? "contracts" : "avulsos";
        return TypedResults.Ok(new PendingResponse(f.BaseDate, f.DueDate, k, customers, customers.Sum(c => c.Total)));
    }

    private static async Task<Dictionary<long, string>> Names(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id, nome FROM customers WHERE id = ANY(@ids)", conn);
        cmd.Parameters.AddWithValue("ids", ids);
        var map = new Dictionary<long, string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) map[r.GetInt64(0)] = r.GetString(1);
        return map;
    }

    // ---------------------------------------------------------------- billing

    private static Task<IResult> Bill(BillRequest body, HttpContext http, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock,
        CancellationToken ct) =>
        BillAsync(body, http.Request.Headers[IdempotencyHeader].ToString(), http, db, cluster, clock, ct);

    /// <summary>POST /api/billing with the idempotency key given apart (the header for the API, a hidden form field for the web admin).</summary>
    internal static async Task<IResult> BillAsync(BillRequest body, string? idempotencyKey, HttpContext http, NpgsqlDataSource db, IClusterClient cluster,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var key = (idempotencyKey ?? "").Trim();
        if (key.Length > 200) errors.Add(IdempotencyHeader, "Use no máximo 200 caracteres.");
        if (body.CustomerId is not > 0) errors.Add("customerId", "Informe o cliente.");
        var all = body.All ?? false;
        if (all && body.ItemIds is { Count: > 0 }) errors.Add("itemIds", "Use itemIds (faturamento parcial) ou all: true (total), não os dois.");
        if (!all && body.ItemIds is not { Count: > 0 }) errors.Add("itemIds", "Escolha os itens a faturar (itemIds) ou all: true.");
        var today = SaoPauloTime.Today(clock);
        // a billing date decades away would materialize every contract period up to it (tens of thousands of rows)
        if (body.BillingDate is null) errors.Add("billingDate", "Informe a data de faturamento.");
        else if (InputRules.Day(body.BillingDate.Value, today) is { } badBilling) errors.Add("billingDate", badBilling);
        if (body.DueDate is null) errors.Add("dueDate", "Informe a data de vencimento.");
        else if (InputRules.Day(body.DueDate.Value, today) is { } badDue) errors.Add("dueDate", badDue);
        if (body.BaseDate is { } baseDay && InputRules.Day(baseDay, today) is { } badBase) errors.Add("baseDate", badBase);
        Money(body.Discount, "discount", errors, required: false);
        Money(body.Interest, "interest", errors, required: false);
        if (body.NfeNumber is { Length: > 60 }) errors.Add("nfeNumber", "Use no máximo 60 caracteres.");
        else if (InputRules.Text(body.NfeNumber, 60) is { } badNfe) errors.Add("nfeNumber", badNfe);
        if (body.Notes is { Length: > 4000 }) errors.Add("notes", "Use no máximo 4000 caracteres.");
        else if (InputRules.Text(body.Notes, 4000, multiline: true) is { } badNotes) errors.Add("notes", badNotes);
        if (InputRules.Text(key, 200) is { } badKey) errors.Add(IdempotencyHeader, badKey);
        if (errors.Any) return errors.ToProblem();

        var outcome = await Owner(cluster).Bill(new BillCommand
        {
            CustomerId = body.CustomerId!.Value,
            ItemIds = all ? null : body.ItemIds,
            BillingDate = body.BillingDate!.Value,
            BaseDate = body.BaseDate,
            DueDate = body.DueDate!.Value,
            Discount = body.Discount ?? 0m,
            Interest = body.Interest ?? 0m,
            NfeNumber = body.NfeNumber,
            Notes = body.Notes,
            IdempotencyKey = key,
            Actor = CommandResults.Actor(http),
        });
        switch (outcome.Status)
        {
            case BillStatus.Created:
                return TypedResults.Created($"/api/billing/{outcome.BillingId}", await Load(db, outcome.BillingId!.Value, ct));
            case BillStatus.Replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Ok(await Load(db, outcome.BillingId!.Value, ct));
            case BillStatus.NotFound:
                return Problems.NotFound(outcome.Message ?? "Não encontrado.");
            case BillStatus.Invalid:
                return Problems.Field(outcome.Field ?? "body", outcome.Message ?? "Valor inválido.");
            default:
                return Problems.Conflict(outcome.Message ?? "Conflito.");
        }
    }

    private static IPendingBillingGrain Owner(IClusterClient cluster) => cluster.GetGrain<IPendingBillingGrain>(IPendingBillingGrain.Key);

    internal static async Task<IResult> Cancel(long id, CancelRequest body, HttpContext http, NpgsqlDataSource db, IClusterClient cluster, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Reason)) return Problems.Field("reason", "Informe o motivo do cancelamento (estorno).");
        if (body.Reason.Length > 1000) return Problems.Field("reason", "Use no máximo 1000 caracteres.");
        if (InputRules.Text(body.Reason, 1000, multiline: true) is { } badReason) return Problems.Field("reason", badReason);
        var r = await Owner(cluster).Cancel(id, body.Reason.Trim(), CommandResults.Actor(http));
        return r.IsOk ? TypedResults.Ok(await Load(db, id, ct)) : CommandResults.ToProblem(r);
    }

    private const string RecordColumns =
        """
        b.id, b.customer_id, coalesce(c.nome, ''), b.status, b.billing_date, b.due_date, b.total, b.discount, b.interest, b.valor_real, b.nfe_number,
        b.notes, b.idempotency_key, b.created_at, b.created_by, b.cancelled_at, b.cancelled_by, b.cancel_reason
        """;

    internal static async Task<BillingResponse?> Load(NpgsqlDataSource db, long id, CancellationToken ct)
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

    private static async Task<IResult> Get(long id, NpgsqlDataSource db, CancellationToken ct) =>
        await Load(db, id, ct) is { } b ? TypedResults.Ok(b) : Problems.NotFound($"Faturamento {id} não encontrado.");

    /// <summary>Billing history: billing date between from and to, customer, NFe number (exact), status; newest first.</summary>
    internal static async Task<IResult> History(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, string? from = null, string? to = null,
        long? customerId = null, string? nfe = null, string? status = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var today = SaoPauloTime.Today(clock);
        var f = DateArg(from, "from", errors, today);
        var t = DateArg(to, "to", errors, today);
        if (InputRules.Text(nfe, 60) is { } badNfe) errors.Add("nfe", badNfe);
        var s = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToUpperInvariant();
        if (s is not (null or BillingStatus.Faturado or BillingStatus.Cancelado)) errors.Add("status", "Use FATURADO ou CANCELADO.");
        if (errors.Any) return errors.ToProblem();
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
        return TypedResults.Ok(Paging.Of(items, p, size, total));
    }
}
