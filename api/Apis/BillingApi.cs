using System.Text.Json;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;
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

    // ---------------------------------------------------------------- pending

    private static async Task<Results<Ok<PendingResponse>, ValidationProblem, ProblemHttpResult>> Pending(BillingService billing,
        CancellationToken ct, string? baseDate = null, string? dueDate = null, string? customerIds = null, string? kind = null) =>
        (await billing.Pending(baseDate, dueDate, customerIds, kind, ct)).ToHttp(p => TypedResults.Ok(p));
}
