using System.Globalization;
using System.Text.Json;
using Billing.Api.Application;
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

    // ---------------------------------------------------------------- pending

    internal static PendingFilter? ReadFilter(string? baseDate, string? dueDate, string? customerIds, string? kind, TimeProvider clock, FieldErrors errors)
    {
        var today = SaoPauloTime.Today(clock);
        var b = BillingQueries.DateArg(baseDate, "baseDate", errors, today);
        var d = BillingQueries.DateArg(dueDate, "dueDate", errors, today);
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

    private static IPendingBillingGrain Owner(IClusterClient cluster) => cluster.GetGrain<IPendingBillingGrain>(IPendingBillingGrain.Key);
}
