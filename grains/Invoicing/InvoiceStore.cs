using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.Invoicing;

/// <summary>
/// The invoices tables (migration 0005). Generation, transitions and discards each run in one
/// transaction: the invoice row, the calls it covers, its history, the number counter and the outbox.
/// </summary>
public sealed class InvoiceStore(NpgsqlDataSource db)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public NpgsqlDataSource Db => db;

    private const string Columns =
        "id, account, circuit_name, customer_id, period, period_start, period_end, issuer, number, status, currency, due_date, " +
        "monthly_fee, calls_count, calls_total, total, lines, custom_fields, generated_at, issued_at, " +
        "paid_at, paid_amount, payment_method, payment_key, paid_by";

    private static InvoiceView Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Account = r.GetString(1),
        CircuitName = r.GetString(2),
        CustomerId = r.GetInt64(3),
        Period = r.GetString(4),
        PeriodStart = new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero),
        PeriodEnd = new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero),
        Issuer = r.GetString(7),
        Number = r.IsDBNull(8) ? null : r.GetInt64(8),
        Status = r.GetString(9),
        Currency = r.GetString(10),
        DueDate = DateOnly.FromDateTime(r.GetDateTime(11)),
        Content = JsonSerializer.Deserialize<InvoiceContent>(r.GetString(16), Json)! with
        {
            MonthlyFee = r.GetDecimal(12), CallsCount = r.GetInt32(13), CallsTotal = r.GetDecimal(14), Total = r.GetDecimal(15),
        },
        CustomFields = JsonSerializer.Deserialize<List<InvoiceCustomField>>(r.GetString(17), Json) ?? [],
        GeneratedAt = new DateTimeOffset(r.GetDateTime(18), TimeSpan.Zero),
        IssuedAt = r.IsDBNull(19) ? null : new DateTimeOffset(r.GetDateTime(19), TimeSpan.Zero),
        PaidAt = r.IsDBNull(20) ? null : new DateTimeOffset(r.GetDateTime(20), TimeSpan.Zero),
        PaidAmount = r.IsDBNull(21) ? null : r.GetDecimal(21),
        PaymentMethod = r.IsDBNull(22) ? null : r.GetString(22),
        PaymentKey = r.IsDBNull(23) ? null : r.GetString(23),
        PaidBy = r.IsDBNull(24) ? null : r.GetString(24),
    };

    public async Task<InvoiceView?> GetAsync(long id, NpgsqlConnection? conn = null, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        await using var own = conn is null ? await db.OpenConnectionAsync() : null;
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM invoices WHERE id = @id{(forUpdate ? " FOR UPDATE" : "")}", conn ?? own, tx);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? Read(r) : null;
    }

    /// <summary>The customer data frozen when the invoice was issued (null for drafts).</summary>
    public async Task<InvoiceCustomer?> CustomerSnapshotAsync(long invoiceId)
    {
        await using var cmd = db.CreateCommand("SELECT customer_data FROM invoices WHERE id = @id");
        cmd.Parameters.AddWithValue("id", invoiceId);
        return await cmd.ExecuteScalarAsync() is string json ? JsonSerializer.Deserialize<InvoiceCustomer>(json, Json) : null;
    }

    /// <summary>The calls an invoice covers, in start order.</summary>
    public async Task<List<InvoiceCall>> CallsAsync(long invoiceId)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT l.id, l.call_id, l.started_at, l.direction, l.destination, l.normalized, l.call_type, l.duration_seconds,
                   l.billed_seconds, l.price_per_minute, -l.amount, l.period
            FROM invoice_calls ic JOIN ledger l ON l.id = ic.ledger_id
            WHERE ic.invoice_id = @id
            ORDER BY l.started_at, l.id
            """);
        cmd.Parameters.AddWithValue("id", invoiceId);
        return await ReadCallsAsync(cmd);
    }

    private static async Task<List<InvoiceCall>> ReadCallsAsync(NpgsqlCommand cmd)
    {
        var list = new List<InvoiceCall>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(new InvoiceCall
            {
                LedgerId = r.GetInt64(0),
                CallId = r.IsDBNull(1) ? "" : r.GetString(1),
                StartedAt = r.IsDBNull(2) ? default : new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero),
                Direction = r.IsDBNull(3) ? "outbound" : r.GetString(3),
                Destination = r.IsDBNull(4) ? null : r.GetString(4),
                Normalized = r.IsDBNull(5) ? null : r.GetString(5),
                CallType = r.IsDBNull(6) ? "" : r.GetString(6),
                DurationSeconds = r.IsDBNull(7) ? 0 : r.GetInt32(7),
                BilledSeconds = r.IsDBNull(8) ? 0 : r.GetInt32(8),
                PricePerMinute = r.IsDBNull(9) ? null : r.GetDecimal(9),
                Amount = r.GetDecimal(10),
                Period = r.IsDBNull(11) ? "" : r.GetString(11),
            });
        }
        return list;
    }

    /// <summary>
    /// Creates or recomputes the draft of (account, period). An issued invoice is never touched. The draft covers
    /// the period's calls, plus late calls of earlier periods whose invoice was already issued (they go to the
    /// next invoice), minus calls another live invoice already covers.
    /// <paramref name="onlyIfNone"/>: the automatic close does not recreate an invoice that was voided or discarded.
    /// </summary>
    public async Task<GenerateOutcome> GenerateAsync(string account, CircuitData circuit, string period, string issuer,
        string actor, DateTimeOffset now, bool onlyIfNone)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lk = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('invoices:' || @a))", conn, tx))
        {
            lk.Parameters.AddWithValue("a", account);
            await lk.ExecuteNonQueryAsync();
        }
        long? existingId = null;
        string? existingStatus = null;
        (int Count, decimal Total, decimal Fee) before = default;
        var anyBefore = false;
        await using (var cmd = new NpgsqlCommand(
            "SELECT id, status, calls_count, total, monthly_fee FROM invoices WHERE account = @a AND period = @p ORDER BY (status <> 'ANULADO') DESC, id DESC FOR UPDATE", conn, tx))
        {
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("p", period);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                anyBefore = true;
                var status = r.GetString(1);
                if (status != InvoiceStatus.Anulado && existingId is null)
                {
                    existingId = r.GetInt64(0);
                    existingStatus = status;
                    before = (r.GetInt32(2), r.GetDecimal(3), r.GetDecimal(4));
                }
            }
        }
        if (existingId is { } issuedId && existingStatus != InvoiceStatus.Rascunho)
            return new GenerateOutcome(account, period, issuedId, "unchanged_issued", existingStatus, null,
                "A fatura do período já foi emitida e não é recalculada.");
        if (existingId is null && onlyIfNone && anyBefore)
            return new GenerateOutcome(account, period, null, "skipped", null, null, "O período já teve fatura (anulada).");
        if (existingId is null && onlyIfNone && await HistoryDiscardedAsync(conn, tx, account, period))
            return new GenerateOutcome(account, period, null, "skipped", null, null, "O rascunho do período foi descartado.");

        var customerId = await CustomerInForceAsync(conn, tx, account, period, circuit.CustomerId);
        var calls = await PeriodCallsAsync(conn, tx, account, period, existingId ?? -1L);
        var cfg = circuit.Invoice;
        var (start, end) = BillingPeriod.Parse(period).Bounds(cfg.ClosingDay);
        var dids = await DidFeesAsync(conn, tx, account, start, end);
        var content = InvoiceCalculator.ApplyCredits(InvoiceCalculator.Compute(calls, cfg.MonthlyFee, period, dids),
            await CreditNoteStore.AvailableAsync(conn, tx, account, customerId, period, existingId ?? -1L));
        var due = InvoicePeriods.DueDate(period, cfg.ClosingDay, cfg.DueDays);
        var lines = JsonSerializer.Serialize(content with { }, Json);
        var custom = JsonSerializer.Serialize(cfg.CustomFields.IsDefault ? [] : cfg.CustomFields.ToArray(), Json);

        long id;
        string action;
        if (existingId is { } draftId)
        {
            id = draftId;
            action = "regenerated";
            await using var cmd = new NpgsqlCommand(
                """
                UPDATE invoices SET customer_id = @c, circuit_name = @name, period_start = @s, period_end = @e, due_date = @due,
                    monthly_fee = @fee, calls_count = @n, calls_total = @ct, total = @t, lines = @lines, custom_fields = @cf,
                    generated_at = @now, updated_at = @now
                WHERE id = @id
                """, conn, tx);
            Fill(cmd);
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
            await using var del = new NpgsqlCommand("DELETE FROM invoice_calls WHERE invoice_id = @id", conn, tx);
            del.Parameters.AddWithValue("id", id);
            await del.ExecuteNonQueryAsync();
            await using var undo = new NpgsqlCommand("DELETE FROM credit_note_applications WHERE invoice_id = @id", conn, tx);
            undo.Parameters.AddWithValue("id", id);
            await undo.ExecuteNonQueryAsync();
        }
        else
        {
            action = "created";
            await using var cmd = new NpgsqlCommand(
                """
                INSERT INTO invoices (account, customer_id, circuit_name, period, period_start, period_end, issuer, status, due_date,
                    monthly_fee, calls_count, calls_total, total, lines, custom_fields, generated_at, updated_at)
                VALUES (@a, @c, @name, @p, @s, @e, @issuer, 'RASCUNHO', @due, @fee, @n, @ct, @t, @lines, @cf, @now, @now)
                RETURNING id
                """, conn, tx);
            Fill(cmd);
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("p", period);
            cmd.Parameters.AddWithValue("issuer", issuer);
            id = (long)(await cmd.ExecuteScalarAsync())!;
        }
        await using (var ins = new NpgsqlCommand("INSERT INTO invoice_calls (invoice_id, ledger_id) SELECT @id, unnest(@ids)", conn, tx))
        {
            ins.Parameters.AddWithValue("id", id);
            ins.Parameters.AddWithValue("ids", calls.Select(c => c.LedgerId).ToArray());
            await ins.ExecuteNonQueryAsync();
        }
        if (content.Credits.Count > 0)
        {
            // the postpaid credit notes this invoice deducts (a later invoice sees only what is left of each)
            await using var apply = new NpgsqlCommand(
                "INSERT INTO credit_note_applications (credit_note_id, invoice_id, amount) SELECT unnest(@notes), @id, unnest(@amounts)", conn, tx);
            apply.Parameters.AddWithValue("notes", content.Credits.Select(c => c.CreditNoteId).ToArray());
            apply.Parameters.AddWithValue("id", id);
            apply.Parameters.AddWithValue("amounts", content.Credits.Select(c => c.Amount).ToArray());
            await apply.ExecuteNonQueryAsync();
        }
        // a daily refresh that changes nothing leaves no history row
        if (action == "created" || before != (content.CallsCount, content.Total, content.MonthlyFee))
            await HistoryAsync(conn, tx, id, now, actor, action == "created" ? "generated" : "regenerated", null, InvoiceStatus.Rascunho, null, false,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{content.CallsCount} chamadas, total {content.Total:0.00}"));
        await tx.CommitAsync();
        return new GenerateOutcome(account, period, id, action, InvoiceStatus.Rascunho, content.Total, null);

        void Fill(NpgsqlCommand cmd)
        {
            cmd.Parameters.AddWithValue("c", customerId);
            cmd.Parameters.AddWithValue("name", circuit.Name);
            cmd.Parameters.AddWithValue("s", start.UtcDateTime);
            cmd.Parameters.AddWithValue("e", end.UtcDateTime);
            cmd.Parameters.AddWithValue("due", due);
            cmd.Parameters.AddWithValue("fee", content.MonthlyFee);
            cmd.Parameters.AddWithValue("n", content.CallsCount);
            cmd.Parameters.AddWithValue("ct", content.CallsTotal);
            cmd.Parameters.AddWithValue("t", content.Total);
            cmd.Parameters.Add(new NpgsqlParameter("lines", NpgsqlDbType.Jsonb) { Value = lines });
            cmd.Parameters.Add(new NpgsqlParameter("cf", NpgsqlDbType.Jsonb) { Value = custom });
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        }
    }

    /// <summary>
    /// The calls an invoice of (account, period) covers: the period's, plus late calls of earlier periods whose invoice
    /// was already issued, minus calls another live invoice (not <paramref name="self"/>) already covers.
    /// </summary>
    private static async Task<List<InvoiceCall>> PeriodCallsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string account, string period, long self)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT l.id, l.call_id, l.started_at, l.direction, l.destination, l.normalized, l.call_type, l.duration_seconds,
                   l.billed_seconds, l.price_per_minute, -l.amount, l.period
            FROM ledger l
            WHERE l.account = @a AND l.kind = 'call'
              AND (l.period = @p
                   OR (l.period < @p AND EXISTS (SELECT 1 FROM invoices i WHERE i.account = @a AND i.period = l.period
                                                                              AND i.status IN ('ABERTO', 'FECHADO'))))
              AND NOT EXISTS (SELECT 1 FROM invoice_calls ic JOIN invoices i ON i.id = ic.invoice_id
                              WHERE ic.ledger_id = l.id AND i.status <> 'ANULADO' AND i.id <> @self)
            ORDER BY l.started_at, l.id
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("p", period);
        cmd.Parameters.AddWithValue("self", self);
        return await ReadCallsAsync(cmd);
    }

    /// <summary>Every DID the circuit held at any moment of [start, end), at its assignment's monthly fee (latest assignment wins).</summary>
    private static async Task<List<InvoiceDidFee>> DidFeesAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string account,
        DateTimeOffset start, DateTimeOffset end)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT DISTINCT ON (number) number, monthly_fee FROM did_assignments
            WHERE account = @a AND active_from < @e AND (active_to IS NULL OR active_to > @s)
            ORDER BY number, active_from DESC, id DESC
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("s", start.UtcDateTime);
        cmd.Parameters.AddWithValue("e", end.UtcDateTime);
        var dids = new List<InvoiceDidFee>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) dids.Add(new InvoiceDidFee(r.GetString(0), r.GetDecimal(1)));
        return dids;
    }

    /// <summary>
    /// What the invoice of the open <paramref name="period"/> would hold now (same calls and fees as
    /// <see cref="GenerateAsync"/>), marked <see cref="InvoiceStatus.Parcial"/>, and its calls. Read-only: nothing is stored.
    /// </summary>
    public async Task<(InvoiceView Invoice, List<InvoiceCall> Calls)> PreviewAsync(string account, CircuitData circuit, string period, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        await using var conn = await db.OpenConnectionAsync();
        var customerId = await CustomerInForceAsync(conn, null, account, period, circuit.CustomerId);
        var calls = await PeriodCallsAsync(conn, null, account, period, -1L);
        var cfg = circuit.Invoice;
        var (start, end) = BillingPeriod.Parse(period).Bounds(cfg.ClosingDay);
        var dids = await DidFeesAsync(conn, null, account, start, end);
        var view = new InvoiceView
        {
            Account = account,
            CircuitName = circuit.Name,
            CustomerId = customerId,
            Period = period,
            PeriodStart = start,
            PeriodEnd = end,
            Status = InvoiceStatus.Parcial,
            DueDate = InvoicePeriods.DueDate(period, cfg.ClosingDay, cfg.DueDays),
            Content = InvoiceCalculator.ApplyCredits(InvoiceCalculator.Compute(calls, cfg.MonthlyFee, period, dids),
                await CreditNoteStore.AvailableAsync(conn, null, account, customerId, period, -1L)),
            CustomFields = cfg.CustomFields.IsDefault ? [] : cfg.CustomFields.ToArray(),
            GeneratedAt = now,
        };
        return (view, calls);
    }

    /// <summary>
    /// Records the payment of an issued invoice, once (see <see cref="IInvoiceGrain.RecordPayment"/>): the paid columns and
    /// a history row, in one transaction under the row lock.
    /// </summary>
    public async Task<CommandResult<InvoiceView>> RecordPaymentAsync(long id, InvoicePayment payment, string actor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(payment);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var inv = await GetAsync(id, conn, tx, forUpdate: true);
        if (inv is null) return CommandResult<InvoiceView>.NotFound($"Fatura {id} não encontrada.");
        if (inv.PaymentKey == payment.Key) return CommandResult<InvoiceView>.Ok(inv);
        if (inv.PaidAt is { } paidAt)
            return CommandResult<InvoiceView>.Conflict(
                $"A fatura {inv.DocumentNumber} já foi paga em {Documents.PtBr.Date(paidAt)} ({InvoicePayments.Label(inv.PaymentMethod)}).");
        if (inv.Status == InvoiceStatus.Rascunho)
            return CommandResult<InvoiceView>.Conflict($"A fatura {inv.DocumentNumber} é um rascunho: emita-a antes de registrar o pagamento.");
        if (inv.Status == InvoiceStatus.Anulado)
            return CommandResult<InvoiceView>.Conflict($"A fatura {inv.DocumentNumber} está ANULADA e não pode ser paga.");
        if (payment.Amount != inv.Content.Total)
            return CommandResult<InvoiceView>.Invalid("amount",
                $"O valor pago ({Money.Format(payment.Amount)}) difere do total da fatura ({Money.Format(inv.Content.Total)}).");
        await using (var other = new NpgsqlCommand("SELECT id FROM invoices WHERE payment_key = @k", conn, tx))
        {
            other.Parameters.AddWithValue("k", payment.Key);
            if (await other.ExecuteScalarAsync() is long otherId)
                return CommandResult<InvoiceView>.Conflict($"Este pagamento (chave {payment.Key}) já foi registrado na fatura {otherId}.");
        }
        await using (var u = new NpgsqlCommand(
            """
            UPDATE invoices SET paid_at = @at, paid_amount = @amount, payment_method = @method, payment_key = @k, paid_by = @by, updated_at = @now
            WHERE id = @id
            """, conn, tx))
        {
            u.Parameters.AddWithValue("at", payment.PaidAt.UtcDateTime);
            u.Parameters.AddWithValue("amount", payment.Amount);
            u.Parameters.AddWithValue("method", payment.Method);
            u.Parameters.AddWithValue("k", payment.Key);
            u.Parameters.AddWithValue("by", string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor);
            u.Parameters.AddWithValue("now", now.UtcDateTime);
            u.Parameters.AddWithValue("id", id);
            try
            {
                await u.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return CommandResult<InvoiceView>.Conflict($"Este pagamento (chave {payment.Key}) já foi registrado em outra fatura.");
            }
        }
        await HistoryAsync(conn, tx, id, now, actor, "paid", inv.Status, inv.Status, inv.Number, false,
            $"Pagamento de {Money.Format(payment.Amount)} em {Documents.PtBr.Date(payment.PaidAt)} ({InvoicePayments.Label(payment.Method)}).");
        // answered as stored (PostgreSQL keeps microseconds), so a retry with the same key answers exactly the same
        var stored = await GetAsync(id, conn, tx);
        await tx.CommitAsync();
        return CommandResult<InvoiceView>.Ok(stored!);
    }

    private static async Task<bool> HistoryDiscardedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string account, string period)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT 1 FROM invoice_history WHERE action = 'discarded' AND detail = @d LIMIT 1", conn, tx);
        cmd.Parameters.AddWithValue("d", DiscardKey(account, period));
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private static string DiscardKey(string account, string period) => account + "/" + period;

    /// <summary>The customer the circuit belonged to in <paramref name="period"/> (moves take effect from their period on).</summary>
    public static async Task<long> CustomerInForceAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string account, string period, long current)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT coalesce(
                (SELECT to_customer_id FROM circuit_moves WHERE account = @a AND effective_period <= @p ORDER BY moved_at DESC, id DESC LIMIT 1),
                (SELECT from_customer_id FROM circuit_moves WHERE account = @a AND effective_period > @p ORDER BY moved_at, id LIMIT 1),
                @current)
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("p", period);
        cmd.Parameters.AddWithValue("current", current);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Drafts of the account (periods), for the daily refresh.</summary>
    public async Task<List<string>> DraftPeriodsAsync(string account)
    {
        await using var cmd = db.CreateCommand("SELECT period FROM invoices WHERE account = @a AND status = 'RASCUNHO' ORDER BY period");
        cmd.Parameters.AddWithValue("a", account);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    public static async Task HistoryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long invoiceId, DateTimeOffset at, string actor,
        string action, string? from, string? to, long? number, bool notify, string? detail)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO invoice_history (invoice_id, at, actor, action, from_status, to_status, number, notify, detail)
            VALUES (@id, @at, @actor, @action, @from, @to, @number, @notify, @detail)
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", invoiceId);
        cmd.Parameters.AddWithValue("at", at.UtcDateTime);
        cmd.Parameters.AddWithValue("actor", string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor);
        cmd.Parameters.AddWithValue("action", action);
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.Text) { Value = (object?)from ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.Text) { Value = (object?)to ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("number", NpgsqlDbType.Bigint) { Value = (object?)number ?? DBNull.Value });
        cmd.Parameters.AddWithValue("notify", notify);
        cmd.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Text) { Value = (object?)detail ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// One transition in one transaction: lock the row, check the lifecycle, take the next number of the issuer
    /// when leaving RASCUNHO (gap-free: the counter row is locked until commit, a rollback gives it back),
    /// update, record the history, and queue the notification e-mail.
    /// </summary>
    public async Task<StatusChangeResult> ChangeStatusAsync(long id, string to, bool notify, string actor, DateTimeOffset now,
        InvoiceCustomer customer, Func<InvoiceView, OutboxMessage?> email)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var inv = await GetAsync(id, conn, tx, forUpdate: true);
        if (inv is null) return new(CommandResult.NotFound($"Fatura {id} não encontrada."), null);
        if (InvoiceStatus.TransitionProblem(inv.Status, to) is { } problem)
            return new(InvoiceStatus.IsValid(to) ? CommandResult.Conflict(problem) : CommandResult.Invalid("status", problem), inv);
        var number = inv.Number;
        if (number is null)
        {
            await using var c = new NpgsqlCommand(
                """
                INSERT INTO invoice_counters (issuer, last_number) VALUES (@i, 1)
                ON CONFLICT (issuer) DO UPDATE SET last_number = invoice_counters.last_number + 1
                RETURNING last_number
                """, conn, tx);
            c.Parameters.AddWithValue("i", inv.Issuer);
            number = (long)(await c.ExecuteScalarAsync())!;
        }
        await using (var u = new NpgsqlCommand(
            """
            UPDATE invoices SET status = @s, number = @n, issued_at = coalesce(issued_at, @now), updated_at = @now,
                                customer_data = coalesce(customer_data, @cus)
            WHERE id = @id
            """, conn, tx))
        {
            u.Parameters.Add(new NpgsqlParameter("cus", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(customer, Json) });
            u.Parameters.AddWithValue("s", to);
            u.Parameters.AddWithValue("n", number.Value);
            u.Parameters.AddWithValue("now", now.UtcDateTime);
            u.Parameters.AddWithValue("id", id);
            await u.ExecuteNonQueryAsync();
        }
        var after = inv with { Status = to, Number = number, IssuedAt = inv.IssuedAt ?? now };
        var message = notify ? email(after) : null;
        await HistoryAsync(conn, tx, id, now, actor, "status", inv.Status, to, number, message is not null,
            notify && message is null ? "Cliente sem e-mail cadastrado: notificação não enviada." : null);
        if (message is not null) await OutboxStore.EnqueueAsync(conn, tx, message, now);
        await PendingBilling.WebhookOutbox.EnqueueAsync(conn, tx, "invoice.status_changed", new
        {
            invoiceId = id, account = inv.Account, customerId = inv.CustomerId, period = inv.Period, from = inv.Status, to, number,
            total = inv.Content.Total, dueDate = inv.DueDate,
        }, now);
        await tx.CommitAsync();
        return new(CommandResult.Ok, after);
    }

    public async Task<CommandResult> DiscardAsync(long id, string actor, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var inv = await GetAsync(id, conn, tx, forUpdate: true);
        if (inv is null) return CommandResult.NotFound($"Fatura {id} não encontrada.");
        if (inv.Status != InvoiceStatus.Rascunho)
            return CommandResult.Conflict($"Só rascunhos podem ser descartados; a fatura {inv.DocumentNumber} está {inv.Status} (anule-a).");
        await using (var d = new NpgsqlCommand("DELETE FROM invoices WHERE id = @id", conn, tx))
        {
            d.Parameters.AddWithValue("id", id);
            await d.ExecuteNonQueryAsync();
        }
        await HistoryAsync(conn, tx, id, now, actor, "discarded", InvoiceStatus.Rascunho, null, null, false, DiscardKey(inv.Account, inv.Period));
        await tx.CommitAsync();
        return CommandResult.Ok;
    }
}
