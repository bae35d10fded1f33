using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using NpgsqlTypes;
using Orleans.Concurrency;

namespace Billing.Grains.PendingBilling;

/// <summary>Pending billing's writes (see <see cref="IPendingBillingGrain"/>): one transaction per command, rows locked.</summary>
[StatelessWorker]
public sealed class PendingBillingGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IPendingBillingGrain
{
    /// <summary>The last day a pending list may reach (<see cref="BillingRules.PendingYearsAhead"/>): the periods listed up to it are billable.</summary>
    private DateOnly MaxAhead => SaoPauloTime.Today(clock).AddYears(BillingRules.PendingYearsAhead);

    public async Task<IReadOnlyList<PendingItem>> Pending(PendingFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var conn = await db.OpenConnectionAsync();
        var horizon = filter.BaseDate ?? filter.DueDate ?? MaxAhead;
        return await PendingStore.PendingAsync(conn, filter, horizon, GrainFactory, default);
    }

    // ---------------------------------------------------------------- contracts

    private static void ContractParameters(NpgsqlCommand cmd, ContractCommand c)
    {
        cmd.Parameters.AddWithValue("name", c.Name);
        cmd.Parameters.AddWithValue("kind", c.Kind);
        cmd.Parameters.Add(new NpgsqlParameter("account", NpgsqlDbType.Text) { Value = c.Kind == ContractKinds.Circuito ? c.Account! : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("did", NpgsqlDbType.Text) { Value = c.Kind == ContractKinds.Did ? c.DidNumber! : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("amount", NpgsqlDbType.Numeric) { Value = (object?)c.Amount ?? DBNull.Value });
        cmd.Parameters.AddWithValue("timing", c.Timing);
        cmd.Parameters.AddWithValue("day", c.DayOfMonth);
        cmd.Parameters.AddWithValue("due", c.DueDays);
        cmd.Parameters.AddWithValue("start", c.StartDate);
        cmd.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Date) { Value = (object?)c.EndDate ?? DBNull.Value });
    }

    public async Task<long> CreateContract(ContractCommand contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        await using var cmd = db.CreateCommand(
            """
            INSERT INTO billing_contracts (customer_id, name, kind, account, did_number, amount, timing, day_of_month, due_days, start_date, end_date,
                                           created_at, updated_at)
            VALUES (@c, @name, @kind, @account, @did, @amount, @timing, @day, @due, @start, @end, @now, @now)
            RETURNING id
            """);
        cmd.Parameters.AddWithValue("c", contract.CustomerId);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        ContractParameters(cmd, contract);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<bool> UpdateContract(long id, ContractCommand contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lk = new NpgsqlCommand("SELECT 1 FROM billing_contracts WHERE id = @id AND deleted_at IS NULL FOR UPDATE", conn, tx))
        {
            lk.Parameters.AddWithValue("id", id);
            if (await lk.ExecuteScalarAsync() is null) return false;
        }
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE billing_contracts SET name = @name, kind = @kind, account = @account, did_number = @did, amount = @amount, timing = @timing,
                   day_of_month = @day, due_days = @due, start_date = @start, end_date = @end, updated_at = @now
            WHERE id = @id AND deleted_at IS NULL;
            DELETE FROM billing_pending_items i WHERE i.contract_id = @id AND i.billing_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM billing_record_items ri WHERE ri.pending_item_id = i.id);
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            ContractParameters(cmd, contract);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return true;
    }

    public async Task<CommandResult> DeleteContract(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lk = new NpgsqlCommand("SELECT 1 FROM billing_contracts WHERE id = @id AND deleted_at IS NULL FOR UPDATE", conn, tx))
        {
            lk.Parameters.AddWithValue("id", id);
            if (await lk.ExecuteScalarAsync() is null) return CommandResult.NotFound($"Contrato {id} não encontrado.");
        }
        await using (var billed = new NpgsqlCommand(
            "SELECT count(*) FROM billing_pending_items WHERE contract_id = @id AND billing_id IS NOT NULL", conn, tx))
        {
            billed.Parameters.AddWithValue("id", id);
            if ((long)(await billed.ExecuteScalarAsync())! > 0)
                return CommandResult.Conflict($"O contrato {id} tem períodos faturados: cancele esses faturamentos antes de excluí-lo, ou encerre-o com endDate.");
        }
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE billing_contracts SET deleted_at = @now, updated_at = @now WHERE id = @id;
            DELETE FROM billing_pending_items i WHERE i.contract_id = @id AND i.billing_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM billing_record_items ri WHERE ri.pending_item_id = i.id);
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

    // ---------------------------------------------------------------- avulsos

    public async Task<long> CreateAvulso(AvulsoCommand avulso)
    {
        ArgumentNullException.ThrowIfNull(avulso);
        await using var cmd = db.CreateCommand(
            """
            WITH a AS (
                INSERT INTO billing_avulsos (customer_id, date, due_date, description, amount, created_at, updated_at)
                VALUES (@c, @d, @v, @desc, @amount, @now, @now) RETURNING id)
            INSERT INTO billing_pending_items (customer_id, source, avulso_id, reference, item_date, due_date, created_at)
            SELECT @c, 'avulso', a.id, '', @d, @v, @now FROM a RETURNING avulso_id
            """);
        cmd.Parameters.AddWithValue("c", avulso.CustomerId);
        cmd.Parameters.AddWithValue("d", avulso.Date);
        cmd.Parameters.AddWithValue("v", avulso.DueDate);
        cmd.Parameters.AddWithValue("desc", avulso.Description);
        cmd.Parameters.AddWithValue("amount", avulso.Amount);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Locks an avulso and its pending item: NotFound, Conflict while billed (<paramref name="verb"/>: what was refused), else Ok.</summary>
    private static async Task<(CommandResult Result, long Customer)> LockAvulso(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string verb)
    {
        await using var cmd = new NpgsqlCommand(
            """
            SELECT a.customer_id, i.billing_id FROM billing_avulsos a JOIN billing_pending_items i ON i.avulso_id = a.id
            WHERE a.id = @id AND a.deleted_at IS NULL FOR UPDATE
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) return (CommandResult.NotFound($"Valor avulso {id} não encontrado."), 0);
        if (!r.IsDBNull(1)) return (CommandResult.Conflict($"O valor avulso {id} está faturado: cancele o faturamento antes de {verb}."), 0);
        return (CommandResult.Ok, r.GetInt64(0));
    }

    public async Task<CommandResult> UpdateAvulso(long id, AvulsoCommand avulso)
    {
        ArgumentNullException.ThrowIfNull(avulso);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var (locked, customer) = await LockAvulso(conn, tx, id, "alterá-lo");
        if (!locked.IsOk) return locked;
        if (customer != avulso.CustomerId)
            return CommandResult.Invalid("customerId", "O cliente de um valor avulso não muda: exclua-o e crie outro.");
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE billing_avulsos SET date = @d, due_date = @v, description = @desc, amount = @amount, updated_at = @now WHERE id = @id;
            UPDATE billing_pending_items SET item_date = @d, due_date = @v WHERE avulso_id = @id;
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("d", avulso.Date);
            cmd.Parameters.AddWithValue("v", avulso.DueDate);
            cmd.Parameters.AddWithValue("desc", avulso.Description);
            cmd.Parameters.AddWithValue("amount", avulso.Amount);
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> DeleteAvulso(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var (locked, _) = await LockAvulso(conn, tx, id, "excluí-lo");
        if (!locked.IsOk) return locked;
        await using (var cmd = new NpgsqlCommand("UPDATE billing_avulsos SET deleted_at = @now, updated_at = @now WHERE id = @id", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

    public async Task<CommandResult> SetAvulsoAttachment(long id, UploadedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var (locked, _) = await LockAvulso(conn, tx, id, "alterá-lo");
        if (!locked.IsOk) return locked;
        await using (var u = new NpgsqlCommand(
            "UPDATE billing_avulsos SET attachment_name = @n, attachment_content_type = @t, attachment = @c, updated_at = @now WHERE id = @id", conn, tx))
        {
            u.Parameters.AddWithValue("id", id);
            u.Parameters.AddWithValue("n", file.Name);
            u.Parameters.AddWithValue("t", file.ContentType);
            u.Parameters.AddWithValue("c", file.Content);
            u.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
            await u.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

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

    public async Task<BillOutcome> Bill(BillCommand command)
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
            await PendingStore.MaterializeAsync(conn, tx, command.CustomerId, MaxAhead, ids, now, default);
        var items = await PendingStore.LockForBillingAsync(conn, tx, command.CustomerId, ids, upTo, GrainFactory, default);
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
