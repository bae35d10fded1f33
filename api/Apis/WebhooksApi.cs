using System.Security.Cryptography;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Api.Apis;

public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Secret, bool? Active);

public sealed record WebhookResponse(long Id, string Url, IReadOnlyList<string> Events, bool Active, string? Secret, string SecretHint,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record WebhookDeliveryItem(long Id, Guid EventId, string EventType, string Status, int Attempts, int? LastStatus, string? LastError,
    DateTimeOffset NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, string Payload);

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

    private static string Hint(string secret) => "…" + secret[^4..];

    private const string Columns = "id, url, events, active, secret, created_at, updated_at";

    private static WebhookResponse Read(NpgsqlDataReader r, bool showSecret) => new(
        r.GetInt64(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetBoolean(3), showSecret ? r.GetString(4) : null, Hint(r.GetString(4)),
        new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero), new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero));

    private static WebhookResponse Response(WebhookEndpoint w, bool showSecret) =>
        new(w.Id, w.Url, w.Events, w.Active, showSecret ? w.Secret : null, Hint(w.Secret), w.CreatedAt, w.UpdatedAt);

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

    private static async Task<IResult> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id");
        var list = new List<WebhookResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(Read(r, showSecret: false));
        return TypedResults.Ok(list);
    }

    private static async Task<IResult> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM webhook_endpoints WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? TypedResults.Ok(Read(r, showSecret: false)) : Problems.NotFound($"Webhook {id} não encontrado.");
    }

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

    private static async Task<IResult> Deliveries(long id, NpgsqlDataSource db, CancellationToken ct, string? status = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var s = string.IsNullOrWhiteSpace(status) ? null : status.Trim().ToUpperInvariant();
        if (s is not (null or "PENDENTE" or "ENVIADO" or "FALHOU")) errors.Add("status", "Use PENDENTE, ENVIADO ou FALHOU.");
        if (errors.Any) return errors.ToProblem();
        await using var cmd = db.CreateCommand(
            """
            SELECT id, event_id, event_type, status, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at, payload, count(*) OVER ()
            FROM webhook_deliveries WHERE endpoint_id = @id AND (@s::text IS NULL OR status = @s)
            ORDER BY id DESC LIMIT @limit OFFSET @offset
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.Add(new NpgsqlParameter("s", NpgsqlDbType.Text) { Value = (object?)s ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<WebhookDeliveryItem>();
        long total = 0;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                items.Add(new WebhookDeliveryItem(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
                    r.IsDBNull(5) ? null : r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6), new DateTimeOffset(r.GetDateTime(7), TimeSpan.Zero),
                    new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero), r.IsDBNull(9) ? null : new DateTimeOffset(r.GetDateTime(9), TimeSpan.Zero),
                    r.GetString(10)));
                total = r.GetInt64(11);
            }
        return TypedResults.Ok(Paging.Of(items, p, size, total));
    }

    /// <summary>Sends a delivery again now (e.g. a FALHOU one after the receiver was fixed), with the same event id.</summary>
    private static async Task<IResult> Retry(long id, long deliveryId, IClusterClient cluster) =>
        await Owner(cluster).Retry(id, deliveryId)
            ? TypedResults.Accepted($"/api/webhooks/{id}/deliveries")
            : Problems.Conflict($"Entrega {deliveryId} não encontrada neste webhook ou já entregue.");
}
