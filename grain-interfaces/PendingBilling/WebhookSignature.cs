using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>
/// Webhook signing, Stripe's scheme: <c>X-Billing-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "{t}.{raw body}"
/// with the endpoint's secret&gt;</c>. The timestamp is signed with the body, so a receiver that recomputes the HMAC over
/// the bytes it received, compares in constant time and refuses a <c>t</c> older than a few minutes cannot be fooled by
/// a replayed request; it drops duplicates by <c>X-Billing-Event-Id</c> (also the <c>id</c> of the body), which is the
/// same on every retry (each attempt is signed again with its own <c>t</c>).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Billing-Signature";
    public const string EventIdHeader = "X-Billing-Event-Id";
    public const string EventTypeHeader = "X-Billing-Event";

    /// <summary>How old a signature <see cref="Verify"/> accepts by default (and how far in the future, for clock skew).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> EventTypes = ["billing.created", "billing.cancelled", "invoice.status_changed",
        "invoice.credited", Circuits.LowBalanceRules.WebhookEvent];

    /// <summary>The header value for <paramref name="body"/> sent at <paramref name="timestamp"/>: <c>t=…,v1=…</c>.</summary>
    public static string Sign(string secret, byte[] body, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return "t=" + t + ",v1=" + Hmac(secret, t, body);
    }

    /// <summary>
    /// True when <paramref name="header"/> carries a <c>v1</c> HMAC of <c>"{t}.{body}"</c> with <paramref name="secret"/>
    /// and its <c>t</c> lies within <paramref name="tolerance"/> (default 5 min) of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, byte[] body, string? header, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(header)) return false;
        string? t = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            var (key, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (key == "t") t = value;
            else if (key == "v1") signatures.Add(value);
        }
        if (t is null || signatures.Count == 0
            || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            return false;
        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        var limit = tolerance ?? DefaultTolerance;
        if (age > limit || age < -limit) return false;
        var expected = Encoding.ASCII.GetBytes(Hmac(secret, t, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s)));
    }

    private static string Hmac(string secret, string t, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(t + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Retry delay after <paramref name="attempts"/> failed attempts: 10 s, 20 s, 40 s… up to 1 h.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, Math.Max(0, attempts - 1))));
}
