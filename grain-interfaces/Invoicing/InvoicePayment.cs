using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Invoicing;

/// <summary>
/// A payment of one invoice: the amount (reais, must equal the invoice total), when it was paid, how, and the key that
/// makes recording it idempotent (the admin form's / REST caller's idempotency key, or <c>provider:&lt;id&gt;</c> for
/// the payment provider's webhook).
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoicePayment")]
public sealed record InvoicePayment(
    [property: Id(0)] decimal Amount,
    [property: Id(1)] DateTimeOffset PaidAt,
    [property: Id(2)] string Method,
    [property: Id(3)] string Key);

/// <summary>Validation of a payment, shared by the API (before the grain call) and the invoice grain.</summary>
public static class InvoicePayments
{
    /// <summary>Payment methods accepted (stored like this).</summary>
    public static readonly IReadOnlyList<string> Methods = ["pix", "boleto", "cartao", "transferencia", "dinheiro", "outro"];

    /// <summary>pt-BR labels of <see cref="Methods"/>.</summary>
    public static string Label(string? method) => method switch
    {
        "pix" => "Pix",
        "boleto" => "Boleto",
        "cartao" => "Cartão",
        "transferencia" => "Transferência",
        "dinheiro" => "Dinheiro",
        "outro" => "Outro",
        _ => method ?? "",
    };

    public const int MaxKey = 200;

    /// <summary>How far back a payment date may go (a late record of an old payment) and ahead (clock skew).</summary>
    public const int PastDays = 3650;
    public const int FutureDays = 1;

    /// <summary>Field errors (camelCase field → pt-BR message) of <paramref name="p"/>; empty when it may be recorded.</summary>
    public static Dictionary<string, string[]> Validate(InvoicePayment p, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(p);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (Money.Problem(p.Amount) is { } badAmount) errors["amount"] = [badAmount];
        else if (p.Amount <= 0) errors["amount"] = ["Informe o valor pago (maior que zero)."];
        if (InputRules.Moment(p.PaidAt, now, PastDays, FutureDays) is { } badDate) errors["paidAt"] = [badDate];
        if (!Methods.Contains(p.Method, StringComparer.Ordinal)) errors["method"] = ["Forma de pagamento: use " + string.Join(", ", Methods) + "."];
        if (InputRules.RequiredText(p.Key, MaxKey) is { } badKey) errors["idempotencyKey"] = [badKey];
        return errors;
    }
}
