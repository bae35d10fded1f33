namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>A webhook endpoint as stored (the secret included: the API shows it only on creation).</summary>
[GenerateSerializer, Immutable, Alias("Billing.WebhookEndpoint")]
public sealed record WebhookEndpoint(
    [property: Id(0)] long Id,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<string> Events,
    [property: Id(3)] bool Active,
    [property: Id(4)] string Secret,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset UpdatedAt);

/// <summary>
/// Owner of <c>webhook_endpoints</c> and of the retry of a <c>webhook_deliveries</c> row (the silos' WebhookSender posts
/// the deliveries). Stateless: every command is one statement, so any activation (key <see cref="Key"/>) may run it.
/// Input is validated by the caller (the API answers 400 first).
/// </summary>
[Alias("Billing.IWebhookEndpointsGrain")]
public interface IWebhookEndpointsGrain : IGrainWithStringKey
{
    public const string Key = "webhooks";

    [Alias("Create")]
    Task<WebhookEndpoint> Create(string url, IReadOnlyList<string> events, string secret, bool active);

    /// <summary>Changes URL, events and (when given) the active flag; null when the endpoint does not exist (or was deleted).</summary>
    [Alias("Update")]
    Task<WebhookEndpoint?> Update(long id, string url, IReadOnlyList<string> events, bool? active);

    /// <summary>Soft-deletes (and deactivates) the endpoint; false when it does not exist.</summary>
    [Alias("Delete")]
    Task<bool> Delete(long id);

    /// <summary>Makes a not-yet-delivered delivery of the endpoint due now; false when none matches.</summary>
    [Alias("Retry")]
    Task<bool> Retry(long endpointId, long deliveryId);
}
