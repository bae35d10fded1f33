using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// Billings ("faturamentos"): billing items (total or partial, idempotent), reversal ("estorno"), attachments and the
/// report e-mail, each one transaction with the rows it changes locked, recorded in the billing's history (and the
/// webhook outbox). Used only by <see cref="PendingBillingGrain"/>.
/// </summary>
internal sealed class BillingRunWriter(NpgsqlDataSource db, TimeProvider clock, IGrainFactory grains)
{
    // ---------------------------------------------------------------- billing

    private static async Task AddHistory(NpgsqlConnection conn, NpgsqlTransaction tx, long billingId, DateTimeOffset now, string actor,
        string action, string? detail)
    {
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO billing_history (billing_id, at, actor, action, detail) VALUES (@b, @at, @actor, @action, @detail)", conn, tx);
        cmd.Parameters.AddWithValue("b", billingId);
        cmd.Parameters.AddWithValue("at", now.UtcDateTime);
        cmd.Parameters.AddWithValue("actor", actor);
        cmd.Parameters.AddWithValue("action", action);
        cmd.Parameters.Add(new NpgsqlParameter("detail", NpgsqlDbType.Text) { Value = (object?)detail ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// "Faturar": locks the items (storing the contract periods billed that had no row yet; <paramref name="maxAhead"/>:
    /// the last day a pending list reaches, so the periods it showed), freezes their amounts and details, and records the
    /// billing, its history, its webhook and its files in one transaction; idempotent by key.
    /// </summary>
    public async Task<BillOutcome> Bill(BillCommand command, DateOnly maxAhead)
    {
        ArgumentNullException.ThrowIfNull(command);
        var key = command.IdempotencyKey;
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        if (key.Length > 0)
        {
            // a double submit with the same key waits here for the first one and then answers its billing
            await using var lk = new NpgsqlCommand(
                "SELECT pg_advisory_xact_lock(hashtext('billing-idem:' || @k)); SELECT id, customer_id FROM billing_records WHERE idempotency_key = @k",
                conn, tx);
            lk.Parameters.AddWithValue("k", key);
            long? existing = null;
            long existingCustomer = 0;
            await using (var r = await lk.ExecuteReaderAsync())
            {
                await r.NextResultAsync();
                if (await r.ReadAsync())
                {
                    existing = r.GetInt64(0);
                    existingCustomer = r.GetInt64(1);
                }
            }
            if (existing is { } id)
            {
                await tx.CommitAsync();
                return existingCustomer != command.CustomerId
                    ? new BillOutcome(BillStatus.Conflict, id, Message: $"A chave Idempotency-Key já foi usada em outro faturamento ({id}).")
                    : new BillOutcome(BillStatus.Replayed, id);
            }
        }
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM customers WHERE id = @id AND deleted_at IS NULL", conn, tx))
        {
            exists.Parameters.AddWithValue("id", command.CustomerId);
            if (await exists.ExecuteScalarAsync() is null)
                return new BillOutcome(BillStatus.NotFound, Message: $"Cliente {command.CustomerId} não encontrado.");
        }
        var all = command.ItemIds is null;
        var upTo = all ? command.BaseDate ?? command.BillingDate : (DateOnly?)null;
        var ids = command.ItemIds?.Distinct().ToList();
        // a command may write: the contract periods it bills get their rows now (the list showed them under these ids)
        if (all) await PendingStore.MaterializeAsync(conn, tx, command.CustomerId, upTo!.Value, null, now, default);
        else if (ids!.Any(i => i > ContractPeriodIds.Base))
            await PendingStore.MaterializeAsync(conn, tx, command.CustomerId, maxAhead, ids, now, default);
        var items = await PendingStore.LockForBillingAsync(conn, tx, command.CustomerId, ids, upTo, grains, default);
        if (ids is not null && items.Count != ids.Count)
        {
            var missing = ids.Except(items.Select(i => i.Id)).Order().Select(i => i.ToString(CultureInfo.InvariantCulture));
            return new BillOutcome(BillStatus.Conflict,
                Message: $"Itens já faturados, de outro cliente ou inexistentes: {string.Join(", ", missing)}. Atualize a lista de pendências.");
        }
        if (items.Count == 0) return new BillOutcome(BillStatus.Conflict, Message: "Não há itens pendentes para faturar deste cliente até a data informada.");

        var total = Money.Round(items.Sum(i => i.Amount));
        var discount = Money.Round(command.Discount);
        var interest = Money.Round(command.Interest);
        var valorReal = BillingRules.ValorReal(total, discount, interest);
        if (valorReal < 0)
            return new BillOutcome(BillStatus.Invalid, Field: "discount", Message: string.Create(CultureInfo.InvariantCulture,
                $"O desconto ({discount:0.00}) é maior que o total ({total:0.00}) mais juros ({interest:0.00}): o valor real ficaria negativo."));
        var notes = string.IsNullOrWhiteSpace(command.Notes) ? BillingRules.DefaultNotes(items.Select(i => i.Description)) : command.Notes.Trim();
        var nfe = string.IsNullOrWhiteSpace(command.NfeNumber) ? null : command.NfeNumber.Trim();

        long billingId;
        await using (var ins = new NpgsqlCommand(
            """
            INSERT INTO billing_records (customer_id, billing_date, due_date, total, discount, interest, valor_real, nfe_number, notes, status,
                                         idempotency_key, created_at, created_by)
            VALUES (@c, @bd, @dd, @total, @disc, @int, @real, @nfe, @notes, 'FATURADO', @key, @now, @actor) RETURNING id
            """, conn, tx))
        {
            ins.Parameters.AddWithValue("c", command.CustomerId);
            ins.Parameters.AddWithValue("bd", command.BillingDate);
            ins.Parameters.AddWithValue("dd", command.DueDate);
            ins.Parameters.AddWithValue("total", total);
            ins.Parameters.AddWithValue("disc", discount);
            ins.Parameters.AddWithValue("int", interest);
            ins.Parameters.AddWithValue("real", valorReal);
            ins.Parameters.Add(new NpgsqlParameter("nfe", NpgsqlDbType.Text) { Value = (object?)nfe ?? DBNull.Value });
            ins.Parameters.AddWithValue("notes", notes);
            ins.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = key.Length > 0 ? key : DBNull.Value });
            ins.Parameters.AddWithValue("now", now.UtcDateTime);
            ins.Parameters.AddWithValue("actor", command.Actor);
            billingId = (long)(await ins.ExecuteScalarAsync())!;
        }
        await using (var lines = new NpgsqlCommand(
            """
            INSERT INTO billing_record_items (billing_id, pending_item_id, source, description, reference, item_date, due_date, amount, details)
            SELECT @b, i, s, d, r, dt, dd, a, x::jsonb FROM unnest(@i, @s, @d, @r, @dt, @dd, @a, @x) AS u(i, s, d, r, dt, dd, a, x);
            UPDATE billing_pending_items SET billing_id = @b WHERE id = ANY(@i);
            """, conn, tx))
        {
            lines.Parameters.AddWithValue("b", billingId);
            lines.Parameters.AddWithValue("i", items.Select(i => i.Id).ToArray());
            lines.Parameters.AddWithValue("s", items.Select(i => i.Source).ToArray());
            lines.Parameters.AddWithValue("d", items.Select(i => i.Description).ToArray());
            lines.Parameters.AddWithValue("r", items.Select(i => i.Reference).ToArray());
            lines.Parameters.AddWithValue("dt", items.Select(i => i.Date).ToArray());
            lines.Parameters.AddWithValue("dd", items.Select(i => i.DueDate).ToArray());
            lines.Parameters.AddWithValue("a", items.Select(i => i.Amount).ToArray());
            lines.Parameters.AddWithValue("x", items.Select(i => JsonSerializer.Serialize(i.Details, ItemDetails.Json)).ToArray());
            await lines.ExecuteNonQueryAsync();
        }
        await AddHistory(conn, tx, billingId, now, command.Actor, "faturado", string.Create(CultureInfo.InvariantCulture,
            $"{items.Count} item(ns); total {total:0.00}; desconto {discount:0.00}; juros {interest:0.00}; valor real {valorReal:0.00}"));
        await WebhookOutbox.EnqueueAsync(conn, tx, "billing.created", new
        {
            billingId, customerId = command.CustomerId, total, discount, interest, valorReal,
            billingDate = command.BillingDate, dueDate = command.DueDate, nfeNumber = command.NfeNumber,
        }, now);
        foreach (var file in command.Attachments) await BillingAttachments.InsertAsync(conn, tx, billingId, file, now, command.Actor);
        await tx.CommitAsync();
        return new BillOutcome(BillStatus.Created, billingId);
    }

    public async Task<CommandResult> Cancel(long billingId, string reason, string actor)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        long customer;
        await using (var lk = new NpgsqlCommand("SELECT status, customer_id FROM billing_records WHERE id = @id FOR UPDATE", conn, tx))
        {
            lk.Parameters.AddWithValue("id", billingId);
            await using var r = await lk.ExecuteReaderAsync();
            if (!await r.ReadAsync()) return CommandResult.NotFound($"Faturamento {billingId} não encontrado.");
            if (r.GetString(0) == BillingStatus.Cancelado) return CommandResult.Conflict($"O faturamento {billingId} já está cancelado.");
            customer = r.GetInt64(1);
        }
        int freed;
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE billing_records SET status = 'CANCELADO', cancelled_at = @now, cancelled_by = @actor, cancel_reason = @reason WHERE id = @id;
            UPDATE billing_pending_items SET billing_id = NULL WHERE billing_id = @id;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", billingId);
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            cmd.Parameters.AddWithValue("actor", actor);
            cmd.Parameters.AddWithValue("reason", reason);
            freed = await cmd.ExecuteNonQueryAsync() - 1;
        }
        await AddHistory(conn, tx, billingId, now, actor, "cancelado",
            string.Create(CultureInfo.InvariantCulture, $"Estorno: {reason} ({freed} item(ns) pendente(s) de novo)"));
        await WebhookOutbox.EnqueueAsync(conn, tx, "billing.cancelled", new { billingId, customerId = customer, reason }, now);
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

    public async Task<AttachmentAdded> AddAttachment(long billingId, UploadedFile file, string actor)
    {
        ArgumentNullException.ThrowIfNull(file);
        var sha = Convert.ToHexStringLower(SHA256.HashData(file.Content));
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lk = new NpgsqlCommand("SELECT status FROM billing_records WHERE id = @id FOR UPDATE", conn, tx))
        {
            lk.Parameters.AddWithValue("id", billingId);
            var status = await lk.ExecuteScalarAsync() as string;
            if (status is null) return new AttachmentAdded(BillStatus.NotFound, 0, sha, now, $"Faturamento {billingId} não encontrado.");
            if (status == BillingStatus.Cancelado)
                return new AttachmentAdded(BillStatus.Conflict, 0, sha, now, $"O faturamento {billingId} está cancelado: não recebe anexos.");
        }
        var (attachmentId, _) = await BillingAttachments.InsertAsync(conn, tx, billingId, file, now, actor);
        await tx.CommitAsync();
        return new AttachmentAdded(BillStatus.Created, attachmentId, sha, now);
    }

    public async Task<long> QueueReportEmail(long billingId, ReportEmail email, string actor)
    {
        ArgumentNullException.ThrowIfNull(email);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        long outboxId;
        await using (var cmd = new NpgsqlCommand(
            """
            INSERT INTO outbox (kind, recipients, subject, body, status, attempts, next_attempt_at, created_at, billing_id, report_type,
                                attachment_name, attachment_type, attachment)
            VALUES ('billing_report', @to, @subject, @body, 'PENDENTE', 0, @now, @now, @b, @t, @an, 'application/pdf', @a) RETURNING id;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("to", email.Recipients.ToArray());
            cmd.Parameters.AddWithValue("subject", email.Subject);
            cmd.Parameters.AddWithValue("body", email.Body);
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            cmd.Parameters.AddWithValue("b", billingId);
            cmd.Parameters.AddWithValue("t", email.ReportType);
            cmd.Parameters.AddWithValue("an", email.AttachmentName);
            cmd.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Bytea) { Value = email.Pdf });
            outboxId = (long)(await cmd.ExecuteScalarAsync())!;
        }
        await AddHistory(conn, tx, billingId, now, actor, "email", $"Relatório {email.ReportType} para {string.Join(", ", email.Recipients)}");
        await tx.CommitAsync();
        return outboxId;
    }
}
