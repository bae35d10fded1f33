using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Invoicing;

/// <summary>
/// What an admin asks for when crediting an issued invoice (nota de crédito): the amount in reais (&gt; 0, ≤ 2 decimals),
/// why, and the key that makes a repeated request (double submit, retry) answer the same note.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.CreditNoteRequest")]
public sealed record CreditNoteRequest(
    [property: Id(0)] decimal Amount,
    [property: Id(1)] string Reason,
    [property: Id(2)] string IdempotencyKey);

/// <summary>How a credit note reaches the customer: deducted on the circuit's next invoice, or credited to its balance.</summary>
public static class CreditNoteModes
{
    /// <summary>Postpaid circuit: the next invoice of the same circuit and customer deducts it (what is left carries over).</summary>
    public const string Postpaid = "postpaid";

    /// <summary>Prepaid circuit: credited to the circuit's balance through the ledger (idempotency <c>credit-note:&lt;id&gt;</c>).</summary>
    public const string Prepaid = "prepaid";

    public static string Label(string? mode) => mode switch
    {
        Postpaid => "Abatida na próxima fatura",
        Prepaid => "Creditada no saldo do circuito",
        _ => mode ?? "",
    };

    /// <summary>Idempotency key of the ledger credit of a prepaid note (the circuit grain's credit command).</summary>
    public static string LedgerKey(long creditNoteId) => "credit-note:" + creditNoteId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A credit note as stored (table <c>credit_notes</c>, owned by the invoice grain).</summary>
[GenerateSerializer, Immutable, Alias("Billing.CreditNoteView")]
public sealed record CreditNoteView
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public string Issuer { get; init; } = "";
    /// <summary>Gap-free number of the issuer's credit notes (its own sequence, not the invoices').</summary>
    [Id(2)] public long Number { get; init; }
    [Id(3)] public long InvoiceId { get; init; }
    /// <summary>The document number of the invoice the note refers to ("000123").</summary>
    [Id(4)] public string InvoiceDocumentNumber { get; init; } = "";
    [Id(5)] public string Account { get; init; } = "";
    [Id(6)] public long CustomerId { get; init; }
    /// <summary>Period of the credited invoice.</summary>
    [Id(7)] public string Period { get; init; } = "";
    [Id(8)] public string Mode { get; init; } = CreditNoteModes.Postpaid;
    [Id(9)] public decimal Amount { get; init; }
    [Id(10)] public string Reason { get; init; } = "";
    [Id(11)] public string IdempotencyKey { get; init; } = "";
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public string CreatedBy { get; init; } = "";
    /// <summary>Prepaid: when the circuit's balance was credited (null: not yet; a replay of the request retries it).</summary>
    [Id(14)] public DateTimeOffset? LedgerCreditedAt { get; init; }

    /// <summary>"NC-000007".</summary>
    public string DocumentNumber => CreditNotes.DocumentNumber(Number);
}

/// <summary>Outcome of issuing a credit note: the note, and whether it already existed (same idempotency key).</summary>
[GenerateSerializer, Immutable, Alias("Billing.CreditNoteResult")]
public sealed record CreditNoteResult(
    [property: Id(0)] CreditNoteView Note,
    [property: Id(1)] bool Duplicate);

/// <summary>A credit note deducted on an invoice (postpaid): which note and how much of it this invoice takes.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceCreditLine")]
public sealed record InvoiceCreditLine(
    [property: Id(0)] long CreditNoteId,
    [property: Id(1)] string DocumentNumber,
    [property: Id(2)] long FromInvoiceId,
    [property: Id(3)] decimal Amount);

/// <summary>Validation and names of credit notes, shared by the API (before the grain call) and the invoice grain.</summary>
public static class CreditNotes
{
    public const int MaxReason = 500;
    public const int MaxKey = 200;

    public static string DocumentNumber(long number) => "NC-" + number.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Field errors (camelCase field → pt-BR message); empty when the request may go to the invoice.</summary>
    public static Dictionary<string, string[]> Validate(decimal? amount, string? reason, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (amount is not { } a) errors["amount"] = ["Informe o valor da nota de crédito."];
        else if (a <= 0) errors["amount"] = ["O valor da nota de crédito deve ser maior que zero."];
        else if (Money.Problem(a) is { } bad) errors["amount"] = [bad];
        if (string.IsNullOrWhiteSpace(reason)) errors["reason"] = ["Informe o motivo da nota de crédito."];
        else if (InputRules.Text(reason, MaxReason, multiline: true) is { } badReason) errors["reason"] = [badReason];
        if (InputRules.RequiredText(idempotencyKey, MaxKey) is { } badKey) errors["idempotencyKey"] = [badKey];
        return errors;
    }
}
