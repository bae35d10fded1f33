using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>The paid state of an invoice as the API answers it.</summary>
public sealed record PaymentResponse(long InvoiceId, string DocumentNumber, string Status, decimal Total, DateTimeOffset PaidAt, decimal PaidAmount,
    string Method, string PaidBy)
{
    public static PaymentResponse From(InvoiceView v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return new(v.Id, v.DocumentNumber, v.Status, v.Content.Total, v.PaidAt!.Value, v.PaidAmount!.Value, v.PaymentMethod ?? "", v.PaidBy ?? "");
    }
}

/// <summary>
/// How an invoice becomes paid (issue 18, "Última Fatura"): an admin records it (<c>POST /api/invoices/{id}/payments</c>,
/// the admin invoice page does the same through <see cref="InvoicePaymentService"/>), or the payment provider calls the
/// signed webhook <c>POST /api/payments/webhook</c>.
/// </summary>
public static class PaymentsApi
{
    /// <summary>Largest webhook body read (a payment notification is a few hundred bytes).</summary>
    public const int MaxWebhookBody = 64 * 1024;

    /// <summary>The admin route (admin key, input guard like every admin endpoint).</summary>
    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/invoices/{id:long}/payments", Pay).WithTags("Faturas").RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>The provider's webhook: no key (the HMAC signature authenticates it), raw body read for the signature.</summary>
    public static IEndpointRouteBuilder MapPaymentWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/payments/webhook", Webhook).WithTags("Faturas").AllowAnonymous();
        return app;
    }

    public static async Task<Results<Ok<PaymentResponse>, ValidationProblem, ProblemHttpResult>> Pay(long id, PaymentRequest body,
        InvoicePaymentService payments, HttpContext http) =>
        (await payments.Pay(id, body, CommandResults.Actor(http))).ToHttp(v => TypedResults.Ok(PaymentResponse.From(v)));

    private static async Task<IResult> Webhook(HttpContext http, InvoicePaymentService payments, CancellationToken ct)
    {
        if (http.Request.ContentLength is > MaxWebhookBody)
            return TypedResults.Problem(detail: "Corpo grande demais.", statusCode: 413, title: Problems.TitleFor(413));
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxWebhookBody)
            return TypedResults.Problem(detail: "Corpo grande demais.", statusCode: 413, title: Problems.TitleFor(413));
        var raw = buffer.ToArray();
        switch (payments.Check(raw, http.Request.Headers[InvoicePaymentService.SignatureHeader]))
        {
            case WebhookCheck.NotConfigured:
                return TypedResults.Problem(detail: "Webhook de pagamentos não configurado (Billing:Payments:WebhookSecret).", statusCode: 503,
                    title: Problems.TitleFor(503));
            case WebhookCheck.BadSignature:
                return TypedResults.Problem(detail: $"Assinatura {InvoicePaymentService.SignatureHeader} ausente, inválida ou expirada.",
                    statusCode: 401, title: Problems.TitleFor(401));
        }
        var result = await payments.PayFromProvider(raw);
        return result.ToHttp(v => TypedResults.Ok(PaymentResponse.From(v)));
    }
}
