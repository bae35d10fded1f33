using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.Invoicing;

/// <summary>An e-mail waiting in the outbox. The PDF of <see cref="InvoiceId"/> is attached when it is sent.</summary>
public sealed record OutboxMessage(string Kind, long? InvoiceId, IReadOnlyList<string> Recipients, string Subject, string Body);

/// <summary>The <c>outbox</c> table: written in the transaction of the change that causes the e-mail.</summary>
public static class OutboxStore
{
    public static async Task EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, OutboxMessage m, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(m);
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO outbox (kind, invoice_id, recipients, subject, body, status, attempts, next_attempt_at, created_at)
            VALUES (@kind, @inv, @to, @subject, @body, 'PENDENTE', 0, @now, @now)
            """, conn, tx);
        cmd.Parameters.AddWithValue("kind", m.Kind);
        cmd.Parameters.Add(new NpgsqlParameter("inv", NpgsqlDbType.Bigint) { Value = (object?)m.InvoiceId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("to", m.Recipients.ToArray());
        cmd.Parameters.AddWithValue("subject", m.Subject);
        cmd.Parameters.AddWithValue("body", m.Body);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }
}
