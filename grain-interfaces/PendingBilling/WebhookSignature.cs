using System.Security.Cryptography;
using System.Text;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>
/// Webhook signing: <c>X-Billing-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body with the endpoint's secret&gt;</c>.
/// A receiver recomputes it over the bytes it received and compares in constant time; it drops duplicates
/// by <c>X-Billing-Event-Id</c> (also the <c>id</c> of the body), which is the same on every retry.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Billing-Signature";
    public const string EventIdHeader = "X-Billing-Event-Id";
    public const string EventTypeHeader = "X-Billing-Event";

    public static readonly IReadOnlyList<string> EventTypes = ["billing.created", "billing.cancelled", "invoice.status_changed"];

    public static string Sign(string secret, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    public static bool Verify(string secret, byte[] body, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(header));

    /// <summary>Retry delay after <paramref name="attempts"/> failed attempts: 10 s, 20 s, 40 s… up to 1 h.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, Math.Max(0, attempts - 1))));
}
