using System.Security.Cryptography;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;

namespace Billing.Api.Apis;

public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Secret, bool? Active);

/// <summary>
/// Webhook endpoints (boleto / NF issuers: the Asaas / Conta Azul role). Each has its own secret (returned once, on
/// creation) and its subscribed events; deliveries are signed (X-Billing-Signature: sha256=HMAC of the body) and
/// retried with backoff by the silos' sender.
/// </summary>
public static class WebhooksApi
{
    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        g.MapPost("/", Create);
        g.MapGet("/", List);
        g.MapGet("/{id:long}", Get);
        g.MapPut("/{id:long}", Update);
        g.MapDelete("/{id:long}", Delete);
        g.MapGet("/{id:long}/deliveries", Deliveries);
        g.MapPost("/{id:long}/deliveries/{deliveryId:long}/retry", Retry);
        return app;
    }

    /// <summary>Longest webhook URL accepted (browsers and proxies agree on ~2 000).</summary>
    public const int MaxUrl = 2000;

    private static string[]? Validate(WebhookRequest body, FieldErrors e, bool creating)
    {
        if (InputRules.Text(body.Url, MaxUrl) is { } badUrl) e.Add("url", badUrl);
        else if (!Uri.TryCreate(body.Url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            e.Add("url", "Informe uma URL http(s) absoluta.");
        var events = body.Events is { Count: > 0 } ? body.Events.Select(x => x.Trim()).Distinct(StringComparer.Ordinal).ToArray() : [.. WebhookSignature.EventTypes];
        if (events.Any(x => !WebhookSignature.EventTypes.Contains(x)))
            e.Add("events", "Eventos aceitos: " + string.Join(", ", WebhookSignature.EventTypes) + ".");
        if (creating && body.Secret is { } s && (s.Length < 16 || s.Length > 200)) e.Add("secret", "O segredo tem de 16 a 200 caracteres.");
        else if (creating && InputRules.Text(body.Secret, 200) is { } badSecret) e.Add("secret", badSecret);
        return e.Any ? null : events;
    }

    private static WebhookResponse Response(WebhookEndpoint w, bool showSecret) =>
        new(w.Id, w.Url, w.Events, w.Active, showSecret ? w.Secret : null, WebhookQueries.Hint(w.Secret), w.CreatedAt, w.UpdatedAt);

    private static IWebhookEndpointsGrain Owner(IClusterClient cluster) => cluster.GetGrain<IWebhookEndpointsGrain>(IWebhookEndpointsGrain.Key);

    private static async Task<IResult> Create(WebhookRequest body, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var events = Validate(body, errors, creating: true);
        if (events is null) return errors.ToProblem();
        var secret = body.Secret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var created = Response(await Owner(cluster).Create(body.Url!.Trim(), events, secret, body.Active ?? true), showSecret: true);
        return TypedResults.Created($"/api/webhooks/{created.Id}", created);
    }

    private static async Task<IResult> List(WebhookQueries webhooks, CancellationToken ct) => TypedResults.Ok(await webhooks.List(ct));

    private static async Task<IResult> Get(long id, WebhookQueries webhooks, CancellationToken ct) =>
        await webhooks.Get(id, ct) is { } w ? TypedResults.Ok(w) : Problems.NotFound($"Webhook {id} não encontrado.");

    /// <summary>Changes URL, events and active flag (the secret stays; create another endpoint to rotate it).</summary>
    private static async Task<IResult> Update(long id, WebhookRequest body, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        var events = Validate(body, errors, creating: false);
        if (events is null) return errors.ToProblem();
        var updated = await Owner(cluster).Update(id, body.Url!.Trim(), events, body.Active);
        return updated is null ? Problems.NotFound($"Webhook {id} não encontrado.") : TypedResults.Ok(Response(updated, showSecret: false));
    }

    private static async Task<IResult> Delete(long id, IClusterClient cluster) =>
        await Owner(cluster).Delete(id) ? TypedResults.NoContent() : Problems.NotFound($"Webhook {id} não encontrado.");

    private static async Task<IResult> Deliveries(long id, WebhookQueries webhooks, CancellationToken ct, string? status = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var s = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToUpperInvariant();
        if (s is not (null or "PENDENTE" or "ENVIADO" or "FALHOU")) errors.Add("status", "Use PENDENTE, ENVIADO ou FALHOU.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await webhooks.Deliveries(id, s, p, size, ct));
    }

    /// <summary>Sends a delivery again now (e.g. a FALHOU one after the receiver was fixed), with the same event id.</summary>
    private static async Task<IResult> Retry(long id, long deliveryId, IClusterClient cluster) =>
        await Owner(cluster).Retry(id, deliveryId)
            ? TypedResults.Accepted($"/api/webhooks/{id}/deliveries")
            : Problems.Conflict($"Entrega {deliveryId} não encontrada neste webhook ou já entregue.");
}
