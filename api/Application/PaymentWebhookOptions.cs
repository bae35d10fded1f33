using System.ComponentModel.DataAnnotations;

namespace Billing.Api.Application;

/// <summary>Section <c>Billing:Payments</c>: the payment provider's webhook (<c>POST /api/payments/webhook</c>).</summary>
public sealed class PaymentWebhookOptions
{
    /// <summary>
    /// The secret shared with the payment provider (HMAC-SHA256 key of <c>X-Payment-Signature</c>). Unset: the webhook
    /// answers 503 and only admins record payments. From the environment (<c>Billing__Payments__WebhookSecret</c>), never
    /// committed.
    /// </summary>
    [MinLength(16, ErrorMessage = "o segredo do webhook de pagamentos tem no mínimo 16 caracteres.")]
    [MaxLength(200, ErrorMessage = "o segredo do webhook de pagamentos tem no máximo 200 caracteres.")]
    public string? WebhookSecret { get; set; }

    /// <summary>How old (or how far ahead) a signature's timestamp may be, in seconds: older requests are replays (401).</summary>
    [Range(30, 3600, ErrorMessage = "a tolerância do webhook de pagamentos vai de 30 a 3600 segundos.")]
    public int ToleranceSeconds { get; set; } = 300;
}
