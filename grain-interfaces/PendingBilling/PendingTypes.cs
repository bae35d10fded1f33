using System.Text.Json;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>Consumption of one call type in a contract period (from the ledger).</summary>
[GenerateSerializer, Immutable, Alias("Billing.UsageLine")]
public sealed record UsageLine(
    [property: Id(0)] string CallType, [property: Id(1)] int Calls, [property: Id(2)] long Seconds, [property: Id(3)] decimal Amount);

/// <summary>What a pending item is made of ("Detalhes"): fee, usage by call type, etc. Kept as JSON in billed items.</summary>
[GenerateSerializer, Immutable, Alias("Billing.ItemDetails")]
public sealed record ItemDetails(
    [property: Id(0)] string? ContractName, [property: Id(1)] string? Kind, [property: Id(2)] string? Timing, [property: Id(3)] string? Account,
    [property: Id(4)] string? DidNumber, [property: Id(5)] decimal? MonthlyFee, [property: Id(6)] string? UsagePeriod,
    [property: Id(7)] IReadOnlyList<UsageLine>? Usage, [property: Id(8)] decimal? UsageTotal, [property: Id(9)] bool? HasAttachment)
{
    /// <summary>The JSON of <see cref="ItemDetails"/> in <c>billing_record_items.details</c> (web defaults: camelCase).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>A billable item with its amount computed now.</summary>
[GenerateSerializer, Immutable, Alias("Billing.PendingItem")]
public sealed record PendingItem(
    [property: Id(0)] long Id, [property: Id(1)] long CustomerId, [property: Id(2)] string Source, [property: Id(3)] long? ContractId,
    [property: Id(4)] long? AvulsoId, [property: Id(5)] string Reference, [property: Id(6)] DateOnly Date, [property: Id(7)] DateOnly DueDate,
    [property: Id(8)] string Description, [property: Id(9)] decimal Amount, [property: Id(10)] ItemDetails Details, [property: Id(11)] long? BillingId);

/// <summary>The pending items of one customer and their total.</summary>
public sealed record PendingCustomer(long CustomerId, string CustomerName, int ItemCount, decimal Total, IReadOnlyList<PendingItem> Items);

/// <summary>Which pending items to read.</summary>
[GenerateSerializer, Immutable, Alias("Billing.PendingFilter")]
public sealed record PendingFilter(
    [property: Id(0)] DateOnly? BaseDate, [property: Id(1)] DateOnly? DueDate, [property: Id(2)] IReadOnlyList<long>? CustomerIds,
    [property: Id(3)] bool Contracts, [property: Id(4)] bool Avulsos);

/// <summary>A recurring contract as written (validated by the caller: customer, circuit / DID exist, dates, amount).</summary>
[GenerateSerializer, Immutable, Alias("Billing.ContractCommand")]
public sealed record ContractCommand(
    [property: Id(0)] long CustomerId, [property: Id(1)] string Name, [property: Id(2)] string Kind, [property: Id(3)] string? Account,
    [property: Id(4)] string? DidNumber, [property: Id(5)] decimal? Amount, [property: Id(6)] string Timing, [property: Id(7)] int DayOfMonth,
    [property: Id(8)] int DueDays, [property: Id(9)] DateOnly StartDate, [property: Id(10)] DateOnly? EndDate);

/// <summary>A one-off charge ("avulso") as written (validated by the caller).</summary>
[GenerateSerializer, Immutable, Alias("Billing.AvulsoCommand")]
public sealed record AvulsoCommand(
    [property: Id(0)] long CustomerId, [property: Id(1)] DateOnly Date, [property: Id(2)] DateOnly DueDate, [property: Id(3)] string Description,
    [property: Id(4)] decimal Amount);

/// <summary>"Faturar": bill some items (<see cref="ItemIds"/>) or all of a customer up to the base / billing date (null ids). Validated by the caller.</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillCommand")]
public sealed record BillCommand
{
    [Id(0)] public long CustomerId { get; init; }
    [Id(1)] public IReadOnlyList<long>? ItemIds { get; init; }
    [Id(2)] public DateOnly BillingDate { get; init; }
    [Id(3)] public DateOnly? BaseDate { get; init; }
    [Id(4)] public DateOnly DueDate { get; init; }
    [Id(5)] public decimal Discount { get; init; }
    [Id(6)] public decimal Interest { get; init; }
    [Id(7)] public string? NfeNumber { get; init; }
    [Id(8)] public string? Notes { get; init; }
    [Id(9)] public string IdempotencyKey { get; init; } = "";
    [Id(10)] public string Actor { get; init; } = "";

    /// <summary>Files ("Arquivos") attached at billing time, stored in the same transaction as the billing (already checked by the caller).</summary>
    [Id(11)] public IReadOnlyList<UploadedFile> Attachments { get; init; } = [];
}

public enum BillStatus
{
    Created,
    Replayed,
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>Outcome of <see cref="IPendingBillingGrain.Bill"/>: the billing id, or why not (an Invalid names its field).</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillOutcome")]
public sealed record BillOutcome(
    [property: Id(0)] BillStatus Status, [property: Id(1)] long? BillingId = null, [property: Id(2)] string? Field = null,
    [property: Id(3)] string? Message = null);

/// <summary>An uploaded file, already checked (name, type, size, content) by the caller.</summary>
[GenerateSerializer, Immutable, Alias("Billing.UploadedFile")]
public sealed record UploadedFile([property: Id(0)] string Name, [property: Id(1)] string ContentType, [property: Id(2)] byte[] Content);

/// <summary>An attachment added to a billing (NotFound / Conflict in <see cref="Status"/> otherwise).</summary>
[GenerateSerializer, Immutable, Alias("Billing.AttachmentAdded")]
public sealed record AttachmentAdded(
    [property: Id(0)] BillStatus Status, [property: Id(1)] long Id, [property: Id(2)] string Sha256, [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string? Message = null);

/// <summary>A billing's closing report queued for e-mail (the PDF rendered by the caller, attached as is).</summary>
[GenerateSerializer, Immutable, Alias("Billing.ReportEmail")]
public sealed record ReportEmail(
    [property: Id(0)] IReadOnlyList<string> Recipients, [property: Id(1)] string Subject, [property: Id(2)] string Body,
    [property: Id(3)] string ReportType, [property: Id(4)] string AttachmentName, [property: Id(5)] byte[] Pdf);
