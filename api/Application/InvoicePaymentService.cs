using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.Extensions.Options;

namespace Billing.Api.Application;

/// <summary>What an admin (form or REST) sends to record a payment. <c>paidAt</c> defaults to now.</summary>
public sealed record PaymentRequest(decimal? Amount, DateTimeOffset? PaidAt, string? Method, string? IdempotencyKey);

/// <summary>
/// Body of the payment provider's webhook: its payment id (<c>id</c>, the idempotency key), the invoice, the amount paid,
/// when and how.
/// </summary>
public sealed record PaymentWebhookEvent(string? Id, long? InvoiceId, decimal? Amount, DateTimeOffset? PaidAt, string? Method);

/// <summary>Why a webhook call was not accepted before reaching the invoice.</summary>
public enum WebhookCheck
{
    Accepted,
    NotConfigured,
    BadSignature,
}

/// <summary>
/// How an invoice becomes paid, shared by <c>POST /api/invoices/{id}/payments</c>, the admin invoice page and the
/// provider's signed webhook: validate, then one call to the invoice grain, which owns the paid state.
/// </summary>
public sealed class InvoicePaymentService(IClusterClient grains, TimeProvider clock, IOptions<PaymentWebhookOptions> options)
{
    /// <summary>Header carrying <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "{t}.{body}"&gt;</c> (the scheme of <see cref="WebhookSignature"/>).</summary>
    public const string SignatureHeader = "X-Payment-Signature";

    /// <summary>Prefix of the idempotency key of webhook payments (the provider's payment id follows).</summary>
    public const string ProviderKeyPrefix = "provider:";

    public const string WebhookActor = "webhook:pagamentos";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CommandResult<InvoiceView>> Pay(long invoiceId, PaymentRequest input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (input.Amount is null) errors["amount"] = ["Informe o valor pago."];
        if (string.IsNullOrWhiteSpace(input.Method)) errors["method"] = ["Informe a forma de pagamento."];
        if (string.IsNullOrWhiteSpace(input.IdempotencyKey)) errors["idempotencyKey"] = ["Informe a chave de idempotência."];
        if (errors.Count > 0) return CommandResult<InvoiceView>.Invalid(errors);
        var payment = new InvoicePayment(input.Amount!.Value, input.PaidAt ?? clock.GetUtcNow(), input.Method!.Trim(), input.IdempotencyKey!.Trim());
        var invalid = InvoicePayments.Validate(payment, clock.GetUtcNow());
        if (invalid.Count > 0) return CommandResult<InvoiceView>.Invalid(invalid);
        return await grains.Invoice(invoiceId).RecordPayment(payment, actor);
    }

    /// <summary>Whether <paramref name="body"/> was signed by the provider with the configured secret, within the tolerance.</summary>
    public WebhookCheck Check(byte[] body, string? signature)
    {
        ArgumentNullException.ThrowIfNull(body);
        var o = options.Value;
        if (string.IsNullOrEmpty(o.WebhookSecret)) return WebhookCheck.NotConfigured;
        return WebhookSignature.Verify(o.WebhookSecret, body, signature, clock.GetUtcNow(), TimeSpan.FromSeconds(o.ToleranceSeconds))
            ? WebhookCheck.Accepted
            : WebhookCheck.BadSignature;
    }

    /// <summary>
    /// A provider notification whose signature <see cref="Check"/> accepted: records the payment under the key
    /// <c>provider:&lt;id&gt;</c>, so the provider's retries are answered with the same payment.
    /// </summary>
    public async Task<CommandResult<InvoiceView>> PayFromProvider(byte[] body)
    {
        PaymentWebhookEvent? e;
        try
        {
            e = JsonSerializer.Deserialize<PaymentWebhookEvent>(body, Json);
        }
        catch (JsonException)
        {
            return CommandResult<InvoiceView>.Invalid("body", "O corpo não é um JSON de pagamento válido.");
        }
        if (e is null) return CommandResult<InvoiceView>.Invalid("body", "O corpo não é um JSON de pagamento válido.");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (InputRules.RequiredText(e.Id, InvoicePayments.MaxKey - ProviderKeyPrefix.Length) is { } badId) errors["id"] = [badId];
        if (e.InvoiceId is not > 0) errors["invoiceId"] = ["Informe a fatura (invoiceId)."];
        if (e.Amount is null) errors["amount"] = ["Informe o valor pago."];
        if (errors.Count > 0) return CommandResult<InvoiceView>.Invalid(errors);
        return await Pay(e.InvoiceId!.Value, new PaymentRequest(e.Amount, e.PaidAt, e.Method ?? "outro", ProviderKeyPrefix + e.Id!.Trim()), WebhookActor);
    }
}
