using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Invoicing;

/// <summary>Invoice statuses (stored and sent exactly like this).</summary>
public static class InvoiceStatus
{
    public const string Rascunho = "RASCUNHO";
    public const string Aberto = "ABERTO";
    public const string Fechado = "FECHADO";
    public const string Anulado = "ANULADO";

    public static readonly IReadOnlyList<string> All = [Rascunho, Aberto, Fechado, Anulado];

    /// <summary>
    /// Printed on the document of the open period (portal "Download fatura" of Fatura em Aberto): not a stored status, the
    /// invoice does not exist yet and its values are partial.
    /// </summary>
    public const string Parcial = "PARCIAL — fatura em aberto";

    public static bool IsValid(string? s) => s is Rascunho or Aberto or Fechado or Anulado;

    /// <summary>Null when <paramref name="from"/> → <paramref name="to"/> is allowed, else the pt-BR reason.</summary>
    public static string? TransitionProblem(string from, string to)
    {
        if (!IsValid(to)) return $"Status '{to}' desconhecido: use RASCUNHO, ABERTO, FECHADO ou ANULADO.";
        if (from == to) return $"A fatura já está {from}.";
        return (from, to) switch
        {
            (Rascunho, Aberto) or (Rascunho, Fechado) or (Rascunho, Anulado) => null,
            (Aberto, Fechado) or (Aberto, Anulado) => null,
            (Fechado, Anulado) => null,
            (_, Rascunho) => "Uma fatura emitida nunca volta a RASCUNHO.",
            (Anulado, _) => "Uma fatura ANULADA não muda mais de status.",
            (Fechado, Aberto) => "Uma fatura FECHADA não pode ser reaberta; anule-a e gere outra.",
            _ => $"Transição de {from} para {to} não permitida.",
        };
    }
}

/// <summary>One ledger call as an invoice sees it. <see cref="Amount"/> is the charge (positive, centavos).</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceCall")]
public sealed record InvoiceCall
{
    [Id(0)] public long LedgerId { get; init; }
    [Id(1)] public string CallId { get; init; } = "";
    [Id(2)] public DateTimeOffset StartedAt { get; init; }
    [Id(3)] public string Direction { get; init; } = "outbound";
    [Id(4)] public string? Destination { get; init; }
    [Id(5)] public string? Normalized { get; init; }
    [Id(6)] public string CallType { get; init; } = "";
    [Id(7)] public int DurationSeconds { get; init; }
    [Id(8)] public int BilledSeconds { get; init; }
    [Id(9)] public decimal? PricePerMinute { get; init; }
    [Id(10)] public decimal Amount { get; init; }
    [Id(11)] public string Period { get; init; } = "";
}

/// <summary>Usage of one call type: count, billed seconds/minutes and amount.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceTypeSummary")]
public sealed record InvoiceTypeSummary(
    [property: Id(0)] string CallType,
    [property: Id(1)] string Label,
    [property: Id(2)] int Count,
    [property: Id(3)] long Seconds,
    [property: Id(4)] decimal Minutes,
    [property: Id(5)] decimal Amount);

[GenerateSerializer, Immutable, Alias("Billing.InvoiceDirectionSummary")]
public sealed record InvoiceDirectionSummary(
    [property: Id(0)] int Count,
    [property: Id(1)] long Seconds,
    [property: Id(2)] decimal Amount);

/// <summary>The computed content of an invoice (pure result of the period's calls + monthly fee).</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceContent")]
public sealed record InvoiceContent
{
    [Id(0)] public IReadOnlyList<InvoiceTypeSummary> ByType { get; init; } = [];
    [Id(1)] public InvoiceDirectionSummary Made { get; init; } = new(0, 0, 0m);
    [Id(2)] public InvoiceDirectionSummary Received { get; init; } = new(0, 0, 0m);
    [Id(3)] public int CallsCount { get; init; }
    [Id(4)] public decimal CallsTotal { get; init; }
    [Id(5)] public decimal MonthlyFee { get; init; }
    [Id(6)] public decimal Total { get; init; }
    /// <summary>Calls of earlier, already issued periods that arrived late and are billed here.</summary>
    [Id(7)] public int LateCalls { get; init; }
    [Id(8)] public decimal LateTotal { get; init; }
    /// <summary>DIDs the circuit held during the period, each with its monthly fee (charged in full, no proration).</summary>
    [Id(9)] public IReadOnlyList<InvoiceDidFee> DidFees { get; init; } = [];
    [Id(10)] public decimal DidFeesTotal { get; init; }
    /// <summary>Credit notes of earlier invoices deducted here (postpaid); <see cref="Total"/> is already net of them.</summary>
    [Id(11)] public IReadOnlyList<InvoiceCreditLine> Credits { get; init; } = [];
    [Id(12)] public decimal CreditsTotal { get; init; }
}

/// <summary>A DID billed on the circuit's invoice.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceDidFee")]
public sealed record InvoiceDidFee([property: Id(0)] string Number, [property: Id(1)] decimal MonthlyFee);

/// <summary>Customer data printed on the documents.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceCustomer")]
public sealed record InvoiceCustomer
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public string Nome { get; init; } = "";
    [Id(2)] public string Documento { get; init; } = "";
    [Id(3)] public string? RazaoSocial { get; init; }
    [Id(4)] public string? Endereco { get; init; }
    [Id(5)] public IReadOnlyList<string> Emails { get; init; } = [];
}

/// <summary>An invoice as stored (table <c>invoices</c>).</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceView")]
public sealed record InvoiceView
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public string Account { get; init; } = "";
    [Id(2)] public string CircuitName { get; init; } = "";
    [Id(3)] public long CustomerId { get; init; }
    [Id(4)] public string Period { get; init; } = "";
    [Id(5)] public DateTimeOffset PeriodStart { get; init; }
    [Id(6)] public DateTimeOffset PeriodEnd { get; init; }
    [Id(7)] public string Issuer { get; init; } = "";
    [Id(8)] public long? Number { get; init; }
    [Id(9)] public string Status { get; init; } = InvoiceStatus.Rascunho;
    [Id(10)] public string Currency { get; init; } = "BRL";
    [Id(11)] public DateOnly DueDate { get; init; }
    [Id(12)] public InvoiceContent Content { get; init; } = new();
    [Id(13)] public IReadOnlyList<InvoiceCustomField> CustomFields { get; init; } = [];
    [Id(14)] public DateTimeOffset GeneratedAt { get; init; }
    [Id(15)] public DateTimeOffset? IssuedAt { get; init; }
    /// <summary>When the customer paid (null: not paid). See <see cref="InvoicePayment"/>.</summary>
    [Id(16)] public DateTimeOffset? PaidAt { get; init; }
    [Id(17)] public decimal? PaidAmount { get; init; }
    [Id(18)] public string? PaymentMethod { get; init; }
    /// <summary>Idempotency key of the payment (admin form / REST key, or <c>provider:&lt;payment id&gt;</c> of the webhook).</summary>
    [Id(19)] public string? PaymentKey { get; init; }
    /// <summary>Who recorded the payment (admin user, or <c>webhook:&lt;provider&gt;</c>).</summary>
    [Id(20)] public string? PaidBy { get; init; }

    public bool IsPaid => PaidAt is not null;

    /// <summary>Drafts are never shown to the customer (portal).</summary>
    public bool VisibleToCustomer => Status != InvoiceStatus.Rascunho;

    /// <summary>"000123" once issued, "RASCUNHO-&lt;id&gt;" while a draft.</summary>
    public string DocumentNumber => Number is { } n
        ? n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)
        : Status == InvoiceStatus.Parcial ? "PARCIAL"
        : "RASCUNHO-" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Result of generating one circuit's invoice for one period.</summary>
[GenerateSerializer, Immutable, Alias("Billing.GenerateOutcome")]
public sealed record GenerateOutcome(
    [property: Id(0)] string Account,
    [property: Id(1)] string Period,
    [property: Id(2)] long? InvoiceId,
    [property: Id(3)] string Action,      // created | regenerated | unchanged_issued | skipped
    [property: Id(4)] string? Status,
    [property: Id(5)] decimal? Total,
    [property: Id(6)] string? Detail);

/// <summary>Result of a status change.</summary>
[GenerateSerializer, Immutable, Alias("Billing.StatusChangeResult")]
public sealed record StatusChangeResult(
    [property: Id(0)] CommandResult Result,
    [property: Id(1)] InvoiceView? Invoice);

/// <summary>A rendered document.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceDocument")]
public sealed record InvoiceDocument(
    [property: Id(0)] string ContentType,
    [property: Id(1)] string FileName,
    [property: Id(2)] byte[] Content);

public enum InvoiceDocumentKind
{
    Pdf,
    Csv,
    CsvDetailed,
    Print,
}
