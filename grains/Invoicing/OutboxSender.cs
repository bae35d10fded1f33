using Billing.GrainInterfaces.Invoicing;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Billing.Grains.Invoicing;

/// <summary>
/// Delivers the outbox with MailKit, over TLS unless <see cref="SmtpOptions.Tls"/> says <c>none</c>. Due messages are
/// claimed with a lease (<c>locked_until</c>, picked with <c>FOR UPDATE SKIP LOCKED</c> so several silos share the
/// work) in one short statement; the PDF is rendered and the message sent with no transaction open; the outcome is
/// recorded in another short statement (ENVIADO, or a retry with exponential backoff — 30 s, 1 min, 2 min… up to 1 h —
/// and FALHOU after MaxAttempts). A crash after the SMTP answer and before the record re-sends it once the lease
/// expires: the Message-Id is fixed per outbox row (<c>outbox-&lt;id&gt;@billing</c>) so mail systems can drop the duplicate.
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

    /// <summary>Messages claimed per round.</summary>
    public const int BatchSize = 10;

    /// <summary>How long a claim holds: a round of slow SMTP conversations (MailKit's 2 min timeout each would be extreme) plus a margin.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    /// <summary>Sends (or reschedules) up to <see cref="BatchSize"/> due messages; returns how many it handled.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default)
    {
        var tls = SmtpOptions.SecureSocket(_o.Tls); // a wrong setting fails here, before anything is claimed
        var now = clock.GetUtcNow();
        var until = Microseconds((now + Lease).UtcDateTime);
        var due = new List<(long Id, long? Invoice, string[] To, string Subject, string Body, int Attempts, Attachment? File)>();
        await using (var cmd = db.CreateCommand(
            """
            UPDATE outbox o SET locked_until = @until
            FROM (SELECT id FROM outbox
                  WHERE status = 'PENDENTE' AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until <= @now)
                  ORDER BY id LIMIT @n FOR UPDATE SKIP LOCKED) c
            WHERE o.id = c.id
            RETURNING o.id, o.invoice_id, o.recipients, o.subject, o.body, o.attempts, o.attachment_name, o.attachment_type, o.attachment
            """))
        {
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            cmd.Parameters.AddWithValue("until", until);
            cmd.Parameters.AddWithValue("n", BatchSize);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                due.Add((r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetFieldValue<string[]>(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                    r.IsDBNull(8) ? null : new Attachment(r.GetString(6), r.GetString(7), r.GetFieldValue<byte[]>(8))));
        }
        due.Sort((a, b) => a.Id.CompareTo(b.Id));
        foreach (var m in due)
        {
            string? error = null;
            try
            {
                await SendAsync(m.Id, m.Invoice, m.To, m.Subject, m.Body, m.File, tls, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                log.LogWarning(e, "E-mail {Id} não enviado (tentativa {Attempt})", m.Id, m.Attempts + 1);
            }
            var attempts = m.Attempts + 1;
            var failed = error is not null && attempts >= _o.MaxAttempts;
            await using var u = db.CreateCommand(
                """
                UPDATE outbox SET status = @s, attempts = @n, last_error = @e, next_attempt_at = @next, locked_until = NULL,
                                  sent_at = CASE WHEN @s = 'ENVIADO' THEN @now ELSE sent_at END
                WHERE id = @id AND locked_until = @until
                """);
            var at = clock.GetUtcNow();
            u.Parameters.AddWithValue("s", error is null ? "ENVIADO" : failed ? "FALHOU" : "PENDENTE");
            u.Parameters.AddWithValue("n", attempts);
            u.Parameters.Add(new NpgsqlParameter("e", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)error ?? DBNull.Value });
            u.Parameters.AddWithValue("next", (at + Backoff(attempts)).UtcDateTime);
            u.Parameters.AddWithValue("now", at.UtcDateTime);
            u.Parameters.AddWithValue("id", m.Id);
            u.Parameters.AddWithValue("until", until);
            if (await u.ExecuteNonQueryAsync(CancellationToken.None) == 0)
                log.LogWarning("E-mail {Id}: o prazo do envio expirou antes do registro; será enviado de novo com o mesmo Message-Id", m.Id);
        }
        return due.Count;
    }

    /// <summary>PostgreSQL keeps microseconds: the claim's time as stored, so the record can match it exactly.</summary>
    private static DateTime Microseconds(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);

    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>A document rendered when the message was queued (billing reports), attached as is.</summary>
    private sealed record Attachment(string Name, string ContentType, byte[] Content);

    private async Task SendAsync(long id, long? invoiceId, string[] to, string subject, string body, Attachment? file, SecureSocketOptions tls,
        CancellationToken ct)
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
        await smtp.ConnectAsync(_o.Host ?? "localhost", _o.Port, tls, ct);
        if (!string.IsNullOrEmpty(_o.User)) await smtp.AuthenticateAsync(_o.User, _o.Password ?? "", ct);
        await smtp.SendAsync(message, ct);
        await smtp.DisconnectAsync(true, ct);
    }
}
