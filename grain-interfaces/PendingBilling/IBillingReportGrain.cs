using System.Collections.Immutable;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>Consumption of one call type in a billed circuit period.</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillingReportUsage")]
public sealed record BillingReportUsage(
    [property: Id(0)] string CallType, [property: Id(1)] int Calls, [property: Id(2)] long Seconds, [property: Id(3)] decimal Amount);

/// <summary>One billed (or, in a preview, pending) item.</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillingReportItem")]
public sealed record BillingReportItem
{
    [Id(0)] public required string Source { get; init; }            // contrato | avulso
    [Id(1)] public required string Description { get; init; }
    [Id(2)] public string Reference { get; init; } = "";
    [Id(3)] public DateOnly Date { get; init; }
    [Id(4)] public DateOnly DueDate { get; init; }
    [Id(5)] public decimal Amount { get; init; }
    [Id(6)] public decimal? MonthlyFee { get; init; }
    [Id(7)] public string? UsagePeriod { get; init; }
    [Id(8)] public ImmutableArray<BillingReportUsage> Usage { get; init; } = [];
}

/// <summary>Everything the closing report of a billing prints ("sintetico": items and values; "detalhado": plus each item's lines).</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillingReport")]
public sealed record BillingReport
{
    [Id(0)] public required string Title { get; init; }
    [Id(1)] public bool Detailed { get; init; }
    [Id(2)] public required string Status { get; init; }             // FATURADO | CANCELADO | PRÉVIA
    [Id(3)] public required string CustomerName { get; init; }
    [Id(4)] public string? CustomerDocument { get; init; }
    [Id(5)] public DateOnly? BillingDate { get; init; }
    [Id(6)] public DateOnly? DueDate { get; init; }
    [Id(7)] public decimal Total { get; init; }
    [Id(8)] public decimal Discount { get; init; }
    [Id(9)] public decimal Interest { get; init; }
    [Id(10)] public decimal ValorReal { get; init; }
    [Id(11)] public string? NfeNumber { get; init; }
    [Id(12)] public string? Notes { get; init; }
    [Id(13)] public ImmutableArray<BillingReportItem> Items { get; init; } = [];
    [Id(14)] public ImmutableArray<string> Attachments { get; init; } = [];
    [Id(15)] public DateTimeOffset GeneratedAt { get; init; }
}

/// <summary>Renders billing closing reports as PDF with the system's document layout (stateless; any key).</summary>
public interface IBillingReportGrain : IGrainWithIntegerKey
{
    Task<byte[]> RenderPdf(BillingReport report);
}
