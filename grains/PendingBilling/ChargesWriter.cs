using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// What is charged: recurring contracts and one-off charges ("avulsos") with their attachment. One transaction per
/// command; an avulso's row is locked with its pending item, so a billed one never changes. A contract's periods are
/// not stored here (<see cref="PendingStore"/> computes them until a billing stores them).
/// Used only by <see cref="PendingBillingGrain"/>.
/// </summary>
internal sealed class ChargesWriter(NpgsqlDataSource db, TimeProvider clock)
{
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
}
