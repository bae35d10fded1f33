using Billing.Api.Apis;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>A credit note as the admin page, the portal and <c>GET /api/invoices/{id}/credit-notes</c> list it.</summary>
public sealed record CreditNoteItem(
    long Id, long Number, string DocumentNumber, long InvoiceId, string InvoiceDocumentNumber, string Account, long CustomerId,
    string Period, string Mode, decimal Amount, string Reason, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? LedgerCreditedAt, decimal Deducted);

/// <summary>
/// Read-only queries of one invoice's detail (tables written only by the invoice grain): its history and its credit
/// notes — for <c>/api/invoices/{id}</c>, the admin invoice page and the portal's invoice history.
/// </summary>
public sealed class InvoiceDetailQueries(NpgsqlDataSource db)
{
    /// <summary>Every transition and event of the invoice, oldest first (empty when the invoice never existed).</summary>
    public async Task<IReadOnlyList<InvoiceHistoryItem>> History(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT id, at, actor, action, from_status, to_status, number, notify, detail FROM invoice_history WHERE invoice_id = @id ORDER BY id");
        cmd.Parameters.AddWithValue("id", id);
        var items = new List<InvoiceHistoryItem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new InvoiceHistoryItem(r.GetInt64(0), new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetInt64(6),
                r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return items;
    }

    private const string NoteColumns =
        """
        n.id, n.number, n.invoice_id, i.number, n.account, n.customer_id, n.period, n.mode, n.amount, n.reason, n.created_at, n.created_by,
        n.ledger_credited_at,
        coalesce((SELECT sum(a.amount) FROM credit_note_applications a JOIN invoices x ON x.id = a.invoice_id
                  WHERE a.credit_note_id = n.id AND x.status <> 'ANULADO'), 0)
        """;

    /// <summary>The credit notes of one invoice, in number order.</summary>
    public Task<IReadOnlyList<CreditNoteItem>> CreditNotes(long invoiceId, CancellationToken ct) =>
        ReadNotes($"SELECT {NoteColumns} FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE n.invoice_id = @k ORDER BY n.number",
            invoiceId, ct);

    /// <summary>The credit notes of every invoice of a customer (portal history), newest first.</summary>
    public Task<IReadOnlyList<CreditNoteItem>> CustomerCreditNotes(long customerId, CancellationToken ct) =>
        ReadNotes($"SELECT {NoteColumns} FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE i.customer_id = @k ORDER BY n.id DESC",
            customerId, ct);

    /// <summary>One credit note (null when it does not exist).</summary>
    public async Task<CreditNoteItem?> CreditNote(long id, CancellationToken ct) =>
        (await ReadNotes($"SELECT {NoteColumns} FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE n.id = @k", id, ct))
        .FirstOrDefault();

    private async Task<IReadOnlyList<CreditNoteItem>> ReadNotes(string sql, long key, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("k", key);
        var items = new List<CreditNoteItem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new CreditNoteItem(r.GetInt64(0), r.GetInt64(1), GrainInterfaces.Invoicing.CreditNotes.DocumentNumber(r.GetInt64(1)),
                r.GetInt64(2), r.IsDBNull(3) ? "" : r.GetInt64(3).ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
                r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7), r.GetDecimal(8), r.GetString(9),
                new DateTimeOffset(r.GetDateTime(10), TimeSpan.Zero), r.GetString(11),
                r.IsDBNull(12) ? null : new DateTimeOffset(r.GetDateTime(12), TimeSpan.Zero), r.GetDecimal(13)));
        return items;
    }
}
