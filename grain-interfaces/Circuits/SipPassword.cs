using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// Senha SIP of a circuit: the digest password of its SIP account (username = account). Never stored: the circuit keeps
/// only HA1 = MD5(account:realm:password), what Kamailio's digest check needs (RFC 2617/7616 with MD5, the only
/// algorithm SIP phones agree on). The realm is <see cref="RealmConfigKey"/> on the silos and BILLING_SIP_REALM in
/// Kamailio: the same value, and changing it means setting every SIP password again.
/// </summary>
public static class SipPassword
{
    public const int MinLength = 8;
    public const int MaxLength = 64;
    public const string RealmConfigKey = "Billing:Sip:Realm";
    public const string DefaultRealm = "billing";

    /// <summary>8–64 visible ASCII characters (what every SIP phone can type and hash the same way), else the pt-BR problem.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "Informe a senha SIP.",
        { Length: < MinLength } => $"A senha SIP precisa ter pelo menos {MinLength} caracteres.",
        { Length: > MaxLength } => $"A senha SIP pode ter no máximo {MaxLength} caracteres.",
        _ when !password.All(c => c is >= '!' and <= '~') =>
            "A senha SIP aceita apenas caracteres ASCII visíveis (sem espaços, acentos ou caracteres de controle).",
        _ => null,
    };

    /// <summary>A realm: 1–64 visible ASCII characters without quotes (it goes inside the digest challenge's quotes).</summary>
    public static bool IsValidRealm(string? realm) =>
        realm is { Length: > 0 and <= 64 } && realm.All(c => c is >= '!' and <= '~' and not '"' and not '\\');

    /// <summary>HA1 = MD5(account:realm:password), lower-case hex (as Kamailio's pv_auth_check expects it).</summary>
    public static string Ha1(string account, string realm, string password)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);
#pragma warning disable CA5351 // SIP digest (RFC 2617) is defined over MD5; phones support nothing else
        var hash = MD5.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{account}:{realm}:{password}")));
#pragma warning restore CA5351
        return Convert.ToHexStringLower(hash);
    }
}

/// <summary>
/// A circuit's registration as the switch reports it: the address its REGISTER came from, the user agent, and how long
/// it holds (<see cref="ExpiresSeconds"/>; 0 = unregistered, null = no expiry given, the report lasts the status TTL).
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.SipRegistration")]
public sealed record SipRegistration(
    [property: Id(0)] string Ip,
    [property: Id(1)] int? Port = null,
    [property: Id(2)] string? Transport = null,
    [property: Id(3)] string? UserAgent = null,
    [property: Id(4)] int? ExpiresSeconds = null,
    [property: Id(5)] int? LatencyMs = null)
{
    public const int MaxUserAgent = 200;
    public const int MaxExpiresSeconds = 86_400;
    public const int MaxLatencyMs = 60_000;
    public static readonly IReadOnlyList<string> Transports = ["udp", "tcp", "tls", "sctp", "ws", "wss"];

    /// <summary>Field problems (pt-BR), empty when the report can be kept.</summary>
    public IReadOnlyList<(string Field, string Message)> Problems()
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(Ip) || !System.Net.IPAddress.TryParse(Ip, out _)) errors.Add(("ip", "Endereço IP inválido."));
        if (Port is < 1 or > 65535) errors.Add(("port", "Porta deve estar entre 1 e 65535."));
        if (Transport is not null && !Transports.Contains(Transport)) errors.Add(("transport", "Transporte deve ser udp, tcp, tls, sctp, ws ou wss."));
        if (UserAgent is not null && (UserAgent.Length > MaxUserAgent || UserAgent.Any(char.IsControl)))
            errors.Add(("userAgent", $"User agent inválido (até {MaxUserAgent} caracteres, sem caracteres de controle)."));
        if (ExpiresSeconds is < 0 or > MaxExpiresSeconds) errors.Add(("expires", $"Validade deve estar entre 0 e {MaxExpiresSeconds} s."));
        if (LatencyMs is < 0 or > MaxLatencyMs) errors.Add(("latencyMs", $"Latência deve estar entre 0 e {MaxLatencyMs} ms."));
        return errors;
    }
}
