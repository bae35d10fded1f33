using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Npgsql;

namespace Billing.Grains.Invoicing;

/// <summary>
/// The credit notes tables (migration 0020), written only by the invoice grain (<c>inv:&lt;id&gt;</c>): a note is
/// stored in one transaction with its number, the invoice's history row and the <c>invoice.credited</c> webhook.
/// <para>
/// Which lock owns what: the credited invoice's row (FOR UPDATE) serializes the notes of one invoice — the cap (sum ≤
/// total) and the idempotency key are checked under it, on every silo. The numbers belong to the issuer, not to an
/// invoice: two invoices' notes are numbered concurrently by different invoice grains, so the sequence is the issuer's
/// counter row (<c>credit_note_counters</c>), incremented in the transaction that inserts the note. Its row lock holds
/// other issuers of the same issuer until commit, and a rollback gives the number back: no number is used twice or skipped.
/// </para>
/// </summary>
public sealed class CreditNoteStore(NpgsqlDataSource db)
{
    private const string Columns =
        "n.id, n.issuer, n.number, n.invoice_id, i.number, n.account, n.customer_id, n.period, n.mode, n.amount, n.reason, " +
        "n.idempotency_key, n.created_at, n.created_by, n.ledger_credited_at";

    private const string From = "credit_notes n JOIN invoices i ON i.id = n.invoice_id";

    private static CreditNoteView Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Issuer = r.GetString(1),
        Number = r.GetInt64(2),
        InvoiceId = r.GetInt64(3),
        InvoiceDocumentNumber = r.IsDBNull(4) ? "" : r.GetInt64(4).ToString("D6", CultureInfo.InvariantCulture),
        Account = r.GetString(5),
        CustomerId = r.GetInt64(6),
        Period = r.GetString(7),
        Mode = r.GetString(8),
        Amount = r.GetDecimal(9),
        Reason = r.GetString(10),
        IdempotencyKey = r.GetString(11),
        CreatedAt = new DateTimeOffset(r.GetDateTime(12), TimeSpan.Zero),
        CreatedBy = r.GetString(13),
        LedgerCreditedAt = r.IsDBNull(14) ? null : new DateTimeOffset(r.GetDateTime(14), TimeSpan.Zero),
    };

    public async Task<CreditNoteView?> GetAsync(long id)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM {From} WHERE n.id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? Read(r) : null;
    }

    private static async Task<CreditNoteView?> ByKeyAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string key)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM {From} WHERE n.idempotency_key = @k", conn, tx);
        cmd.Parameters.AddWithValue("k", key);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? Read(r) : null;
    }

    private static CommandResult<CreditNoteResult> Replay(CreditNoteView existing, long invoiceId) =>
        existing.InvoiceId == invoiceId
            ? CommandResult<CreditNoteResult>.Ok(new CreditNoteResult(existing, Duplicate: true))
            : CommandResult<CreditNoteResult>.Conflict(
                $"A chave de idempotência já foi usada na nota de crédito {existing.DocumentNumber} de outra fatura ({existing.InvoiceDocumentNumber}).");

    /// <summary>
    /// Issues a note on the invoice (see <see cref="IInvoiceGrain.IssueCreditNote"/>); <paramref name="mode"/> is how the
    /// circuit is billed now (postpaid / prepaid). The request is already validated.
    /// </summary>
    public async Task<CommandResult<CreditNoteResult>> IssueAsync(long invoiceId, string mode, CreditNoteRequest request, string actor,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.IdempotencyKey.Trim();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        string status, issuer, account, period;
        long customerId;
        long? invoiceNumber;
        decimal total;
        await using (var lk = new NpgsqlCommand(
            "SELECT status, issuer, account, period, customer_id, number, total FROM invoices WHERE id = @id FOR UPDATE", conn, tx))
        {
            lk.Parameters.AddWithValue("id", invoiceId);
            await using var r = await lk.ExecuteReaderAsync();
            if (!await r.ReadAsync()) return CommandResult<CreditNoteResult>.NotFound($"Fatura {invoiceId} não encontrada.");
            (status, issuer, account, period, customerId) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4));
            invoiceNumber = r.IsDBNull(5) ? null : r.GetInt64(5);
            total = r.GetDecimal(6);
        }
        // under the invoice lock: a concurrent request with the same key on this invoice has committed or not started
        if (await ByKeyAsync(conn, tx, key) is { } existing) return Replay(existing, invoiceId);
        var document = invoiceNumber is { } n ? n.ToString("D6", CultureInfo.InvariantCulture) : "RASCUNHO-" + invoiceId.ToString(CultureInfo.InvariantCulture);
        if (status is not (InvoiceStatus.Aberto or InvoiceStatus.Fechado))
            return CommandResult<CreditNoteResult>.Conflict(status == InvoiceStatus.Rascunho
                ? $"A fatura {document} é um rascunho: emita-a antes de dar uma nota de crédito (ou recalcule o rascunho)."
                : $"A fatura {document} está {status}: só faturas ABERTAS ou FECHADAS recebem nota de crédito.");
        decimal credited;
        await using (var sum = new NpgsqlCommand("SELECT coalesce(sum(amount), 0) FROM credit_notes WHERE invoice_id = @id", conn, tx))
        {
            sum.Parameters.AddWithValue("id", invoiceId);
            credited = (decimal)(await sum.ExecuteScalarAsync())!;
        }
        if (credited + request.Amount > total)
            return CommandResult<CreditNoteResult>.Conflict(
                $"A nota de crédito de {Money.Format(request.Amount)} ultrapassaria o total da fatura {document} ({Money.Format(total)}): " +
                $"já há {Money.Format(credited)} em notas de crédito, restam {Money.Format(total - credited)}.");
        long number;
        await using (var c = new NpgsqlCommand(
            """
            INSERT INTO credit_note_counters (issuer, last_number) VALUES (@i, 1)
            ON CONFLICT (issuer) DO UPDATE SET last_number = credit_note_counters.last_number + 1
            RETURNING last_number
            """, conn, tx))
        {
            c.Parameters.AddWithValue("i", issuer);
            number = (long)(await c.ExecuteScalarAsync())!;
        }
        var by = string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor;
        long id;
        await using (var ins = new NpgsqlCommand(
            """
            INSERT INTO credit_notes (issuer, number, invoice_id, account, customer_id, period, mode, amount, reason, idempotency_key,
                                      created_at, created_by)
            VALUES (@issuer, @number, @invoice, @account, @customer, @period, @mode, @amount, @reason, @key, @now, @by)
            RETURNING id
            """, conn, tx))
        {
            ins.Parameters.AddWithValue("issuer", issuer);
            ins.Parameters.AddWithValue("number", number);
            ins.Parameters.AddWithValue("invoice", invoiceId);
            ins.Parameters.AddWithValue("account", account);
            ins.Parameters.AddWithValue("customer", customerId);
            ins.Parameters.AddWithValue("period", period);
            ins.Parameters.AddWithValue("mode", mode);
            ins.Parameters.AddWithValue("amount", request.Amount);
            ins.Parameters.AddWithValue("reason", request.Reason.Trim());
            ins.Parameters.AddWithValue("key", key);
            ins.Parameters.AddWithValue("now", now.UtcDateTime);
            ins.Parameters.AddWithValue("by", by);
            try
            {
                id = (long)(await ins.ExecuteScalarAsync())!;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "credit_notes_key_uq")
            {
                // the same key was committed meanwhile on another invoice (its own lock): answer as a replay would
                await tx.RollbackAsync();
                return await ByKeyAsync(conn, null, key) is { } other
                    ? Replay(other, invoiceId)
                    : CommandResult<CreditNoteResult>.Conflict("A chave de idempotência já foi usada em outra nota de crédito.");
            }
        }
        var doc = CreditNotes.DocumentNumber(number);
        await InvoiceStore.HistoryAsync(conn, tx, invoiceId, now, by, "credit_note", status, status, invoiceNumber, false,
            $"Nota de crédito {doc} de {Money.Format(request.Amount)} ({CreditNoteModes.Label(mode)}): {request.Reason.Trim()}");
        await PendingBilling.WebhookOutbox.EnqueueAsync(conn, tx, "invoice.credited", new
        {
            creditNoteId = id, number, documentNumber = doc, invoiceId, invoiceNumber, account, customerId, period, mode,
            amount = request.Amount, reason = request.Reason.Trim(), creditedTotal = credited + request.Amount, invoiceTotal = total,
        }, now);
        await using (var get = new NpgsqlCommand($"SELECT {Columns} FROM {From} WHERE n.id = @id", conn, tx))
        {
            get.Parameters.AddWithValue("id", id);
            CreditNoteView stored;
            await using (var r = await get.ExecuteReaderAsync())
            {
                await r.ReadAsync();
                stored = Read(r);
            }
            await tx.CommitAsync();
            return CommandResult<CreditNoteResult>.Ok(new CreditNoteResult(stored, Duplicate: false));
        }
    }

    /// <summary>Prepaid notes whose ledger credit is still missing: of one invoice, or (<paramref name="invoiceId"/> null) of one circuit.</summary>
    public async Task<List<CreditNoteView>> LedgerPendingAsync(long? invoiceId, string? account)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {Columns} FROM {From} WHERE n.mode = 'prepaid' AND n.ledger_credited_at IS NULL " +
            "AND (@inv::bigint IS NULL OR n.invoice_id = @inv) AND (@acc::text IS NULL OR n.account = @acc) ORDER BY n.id");
        cmd.Parameters.AddWithValue("inv", (object?)invoiceId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("acc", (object?)account ?? DBNull.Value);
        var list = new List<CreditNoteView>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(Read(r));
        return list;
    }

    /// <summary>Records that a prepaid note's ledger credit was made (once; a retry keeps the first moment).</summary>
    public async Task<CreditNoteView?> MarkLedgerCreditedAsync(long id, DateTimeOffset now)
    {
        await using (var cmd = db.CreateCommand(
            "UPDATE credit_notes SET ledger_credited_at = coalesce(ledger_credited_at, @now) WHERE id = @id"))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        return await GetAsync(id);
    }

    /// <summary>
    /// Postpaid notes an invoice of (account, customer, period) may deduct, oldest first: notes of earlier periods of the
    /// same circuit and customer (on invoices not voided), each with what the other live invoices (not
    /// <paramref name="self"/>) have not deducted yet.
    /// </summary>
    public static async Task<List<AvailableCredit>> AvailableAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string account, long customerId,
        string period, long self)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT n.id, n.number, n.invoice_id,
                   n.amount - coalesce((SELECT sum(a.amount) FROM credit_note_applications a JOIN invoices x ON x.id = a.invoice_id
                                        WHERE a.credit_note_id = n.id AND x.status <> 'ANULADO' AND x.id <> @self), 0)
            FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id
            WHERE n.account = @a AND n.customer_id = @c AND n.mode = 'postpaid' AND n.period < @p AND i.status <> 'ANULADO'
            ORDER BY n.id
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("c", customerId);
        cmd.Parameters.AddWithValue("p", period);
        cmd.Parameters.AddWithValue("self", self);
        var list = new List<AvailableCredit>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var left = r.GetDecimal(3);
            if (left > 0) list.Add(new AvailableCredit(r.GetInt64(0), CreditNotes.DocumentNumber(r.GetInt64(1)), r.GetInt64(2), left));
        }
        return list;
    }
}
