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
    /// <summary>The circuit this item bills (circuit contracts), for the report grouped by circuit.</summary>
    [Id(9)] public string? Account { get; init; }
    /// <summary>An avulso's attachment: its file name and the link printed in the report.</summary>
    [Id(10)] public string? AttachmentName { get; init; }
    [Id(11)] public string? AttachmentUrl { get; init; }
    /// <summary>Every call of the item's usage period ("detalhado com ligações" and "agrupado por circuito").</summary>
    [Id(12)] public ImmutableArray<BillingReportCall> Calls { get; init; } = [];
}

/// <summary>One rated call printed in a report with calls.</summary>
[GenerateSerializer, Immutable, Alias("Billing.BillingReportCall")]
public sealed record BillingReportCall(
    [property: Id(0)] DateTimeOffset StartedAt, [property: Id(1)] string Destination, [property: Id(2)] string CallType,
    [property: Id(3)] int BilledSeconds, [property: Id(4)] decimal Amount);

/// <summary>
/// The four kinds of closing report (seed 002): sintético (items and values), detalhado (plus each contract's fee and usage,
/// the avulsos with date and description), detalhado com ligações (plus every call of each item) and agrupado por circuito
/// (the detailed report with calls, one section and subtotal per circuit).
/// </summary>
public static class BillingReportKinds
{
    public const string Sintetico = "sintetico";
    public const string Detalhado = "detalhado";
    public const string DetalhadoLigacoes = "detalhado-ligacoes";
    public const string AgrupadoCircuito = "agrupado-circuito";

    public static readonly IReadOnlyList<string> All = [Sintetico, Detalhado, DetalhadoLigacoes, AgrupadoCircuito];

    /// <summary>The kind a request names (also "sintético" with its accent); null when it is none of them.</summary>
    public static string? Parse(string? value)
    {
        var t = string.IsNullOrWhiteSpace(value) ? Sintetico : value.Trim().ToLowerInvariant();
        return t == "sintético" ? Sintetico : All.Contains(t) ? t : null;
    }

    public static bool WithCalls(string kind) => kind is DetalhadoLigacoes or AgrupadoCircuito;

    public static string Label(string kind) => kind switch
    {
        Detalhado => "detalhado",
        DetalhadoLigacoes => "detalhado com ligações",
        AgrupadoCircuito => "agrupado por circuito",
        _ => "sintético",
    };
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
    /// <summary>One of <see cref="BillingReportKinds"/>; <see cref="Detailed"/> is true for every kind but sintético.</summary>
    [Id(16)] public string Kind { get; init; } = BillingReportKinds.Sintetico;
}

/// <summary>Renders billing closing reports as PDF with the system's document layout (stateless; any key).</summary>
public interface IBillingReportGrain : IGrainWithIntegerKey
{
    Task<byte[]> RenderPdf(BillingReport report);
}
