using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Billing.Grains.Invoicing;

/// <summary>SMTP settings (section <c>Billing:Smtp</c>). No host = the sender stays idle (messages wait in the outbox).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    [Range(1, 65_535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// <c>starttls</c> (default: the server must offer STARTTLS, or nothing is sent), <c>tls</c> (implicit TLS from the
    /// first byte, usually port 465; <c>ssl</c> is the same) or <c>none</c> (plain text: only when said explicitly, e.g. a
    /// relay on localhost or the tests' SMTP server). Anything else refuses to send.
    /// </summary>
    public string Tls { get; set; } = "starttls";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "faturas@localhost";
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>
    /// MailKit's socket option for <paramref name="tls"/>. Never <c>Auto</c> (which falls back to plain text when the
    /// server offers no STARTTLS, so a stripped offer would expose customers' invoices and the SMTP password).
    /// </summary>
    public static SecureSocketOptions SecureSocket(string? tls) => (tls ?? "").Trim().ToUpperInvariant() switch
    {
        "" or "STARTTLS" => SecureSocketOptions.StartTls,
        "TLS" or "SSL" => SecureSocketOptions.SslOnConnect,
        "NONE" => SecureSocketOptions.None,
        _ => throw new InvalidOperationException(
            $"Billing:Smtp:Tls = '{tls}' não é aceito: use starttls (padrão), tls ou none."),
    };
}
