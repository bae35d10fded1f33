using Billing.GrainInterfaces.Invoicing;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Billing.Grains.Invoicing;

/// <summary>SMTP settings (section <c>Billing:Smtp</c>). No host = the sender stays idle (messages wait in the outbox).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary><c>none</c>, <c>starttls</c>, <c>ssl</c> or <c>auto</c>.</summary>
    public string Tls { get; set; } = "auto";
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "faturas@localhost";
    public int PollSeconds { get; set; } = 5;
    public int MaxAttempts { get; set; } = 8;
}

/// <summary>
/// Delivers the outbox with MailKit. Each due message is locked (<c>FOR UPDATE SKIP LOCKED</c>, so several silos
/// share the work), sent with the invoice PDF attached and marked ENVIADO in the same transaction; a failure
/// schedules a retry with exponential backoff (30 s, 1 min, 2 min… up to 1 h) and after MaxAttempts marks it FALHOU.
/// A crash after the SMTP answer and before the commit re-sends it once: the Message-Id is fixed per outbox row
/// (<c>outbox-&lt;id&gt;@billing</c>) so mail systems can drop the duplicate.
/// </summary>
public sealed class OutboxSender(NpgsqlDataSource db, IGrainFactory grains, IOptions<SmtpOptions> options, TimeProvider clock,
    ILogger<OutboxSender> log) : BackgroundService
{
    private readonly SmtpOptions _o = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_o.Host)) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Envio da caixa de saída falhou; tenta de novo");
            }
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, _o.PollSeconds)), clock, stoppingToken);
        }
    }

    /// <summary>Sends (or reschedules) up to 10 due messages; returns how many it handled.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = new List<(long Id, long? Invoice, string[] To, string Subject, string Body, int Attempts, Attachment? File)>();
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT id, invoice_id, recipients, subject, body, attempts, attachment_name, attachment_type, attachment FROM outbox
            WHERE status = 'PENDENTE' AND next_attempt_at <= @now ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                due.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetFieldValue<string[]>(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                    r.IsDBNull(8) ? null : new Attachment(r.GetString(6), r.GetString(7), r.GetFieldValue<byte[]>(8))));
        }
        foreach (var m in due)
        {
            string? error = null;
            try
            {
                await SendAsync(m.Id, m.Invoice, m.To, m.Subject, m.Body, m.File, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                log.LogWarning(e, "E-mail {Id} não enviado (tentativa {Attempt})", m.Id, m.Attempts + 1);
            }
            var attempts = m.Attempts + 1;
            var failed = error is not null && attempts >= _o.MaxAttempts;
            await using var u = new NpgsqlCommand(
                """
                UPDATE outbox SET status = @s, attempts = @n, last_error = @e, next_attempt_at = @next,
                                  sent_at = CASE WHEN @s = 'ENVIADO' THEN @now ELSE sent_at END
                WHERE id = @id
                """, conn, tx);
            var now = clock.GetUtcNow();
            u.Parameters.AddWithValue("s", error is null ? "ENVIADO" : failed ? "FALHOU" : "PENDENTE");
            u.Parameters.AddWithValue("n", attempts);
            u.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            u.Parameters.AddWithValue("next", (now + Backoff(attempts)).UtcDateTime);
            u.Parameters.AddWithValue("now", now.UtcDateTime);
            u.Parameters.AddWithValue("id", m.Id);
            await u.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return due.Count;
    }

    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>A document rendered when the message was queued (billing reports), attached as is.</summary>
    private sealed record Attachment(string Name, string ContentType, byte[] Content);

    private async Task SendAsync(long id, long? invoiceId, string[] to, string subject, string body, Attachment? file, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_o.From));
        foreach (var t in to) message.To.Add(MailboxAddress.Parse(t));
        message.Subject = subject;
        message.MessageId = "outbox-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@billing";
        var builder = new BodyBuilder { TextBody = body };
        if (invoiceId is { } inv && await grains.Invoice(inv).Render(InvoiceDocumentKind.Pdf) is { } pdf)
            builder.Attachments.Add(pdf.FileName, pdf.Content, new ContentType("application", "pdf"));
        if (file is not null)
            builder.Attachments.Add(file.Name, file.Content, ContentType.Parse(file.ContentType));
        message.Body = builder.ToMessageBody();

        using var smtp = new SmtpClient();
        var tls = _o.Tls.ToUpperInvariant() switch
        {
            "NONE" => SecureSocketOptions.None,
            "STARTTLS" => SecureSocketOptions.StartTls,
            "SSL" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        await smtp.ConnectAsync(_o.Host ?? "localhost", _o.Port, tls, ct);
        if (!string.IsNullOrEmpty(_o.User)) await smtp.AuthenticateAsync(_o.User, _o.Password ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(true, ct);
    }
}
