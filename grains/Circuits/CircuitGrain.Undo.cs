using Billing.GrainInterfaces.Common;
using Billing.Grains.Audit;
using Npgsql;

namespace Billing.Grains.Circuits;

/// <summary>
/// Undo of a creation that never went into service (a failed "Novo Lote" rolls back with it): the circuit's row and
/// snapshot go away and its number is free again. Only for a circuit nothing refers to yet.
/// </summary>
public sealed partial class CircuitGrain
{
    /// <summary>
    /// What else may refer to an account: the ledger (calls, credits), credit holds, invoices, DIDs (now or in their
    /// history), billing contracts and moves. Any of them makes the circuit part of the books: it can only be deleted.
    /// </summary>
    private const string ReferencesSql =
        """
        SELECT array_remove(ARRAY[
            CASE WHEN EXISTS (SELECT 1 FROM ledger WHERE account = @a) THEN 'lançamentos no razão' END,
            CASE WHEN EXISTS (SELECT 1 FROM call_holds WHERE account = @a) THEN 'reservas de chamadas' END,
            CASE WHEN EXISTS (SELECT 1 FROM invoices WHERE account = @a) THEN 'faturas' END,
            CASE WHEN EXISTS (SELECT 1 FROM dids WHERE account = @a)
                   OR EXISTS (SELECT 1 FROM did_assignments WHERE account = @a) THEN 'DIDs' END,
            CASE WHEN EXISTS (SELECT 1 FROM billing_contracts WHERE account = @a) THEN 'contratos de faturamento' END,
            CASE WHEN EXISTS (SELECT 1 FROM circuit_moves WHERE account = @a) THEN 'mudanças de cliente' END
        ], NULL)
        """;

    public async Task<CommandResult> UndoCreate(string actor)
    {
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            // not live from here on: a call or credit arriving meanwhile is refused instead of racing the removal
            _s.Deleted = true;
            var removed = false;
            try
            {
                if (InMemoryUse() is { } use)
                    return CommandResult.Conflict($"O circuito {_account} já está em uso ({use}): use a exclusão.");
                var now = Now;
                await using (var conn = await store.Db.OpenConnectionAsync())
                await using (var tx = await conn.BeginTransactionAsync())
                {
                    bool hasRow;
                    await using (var lk = new NpgsqlCommand("SELECT deleted_at IS NULL FROM circuits WHERE account = @a FOR UPDATE", conn, tx))
                    {
                        lk.Parameters.AddWithValue("a", _account);
                        var row = await lk.ExecuteScalarAsync();
                        if (row is false) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
                        hasRow = row is true;
                    }
                    await using (var refs = new NpgsqlCommand(ReferencesSql, conn, tx))
                    {
                        refs.Parameters.AddWithValue("a", _account);
                        if (await refs.ExecuteScalarAsync() is string[] { Length: > 0 } found)
                            return CommandResult.Conflict($"O circuito {_account} já está em uso ({string.Join(", ", found)}): use a exclusão.");
                    }
                    // no row: an earlier undo committed and then failed to clear the snapshot (or a create never committed): finish it
                    if (hasRow)
                    {
                        await using (var del = new NpgsqlCommand("DELETE FROM circuits WHERE account = @a", conn, tx))
                        {
                            del.Parameters.AddWithValue("a", _account);
                            await del.ExecuteNonQueryAsync();
                        }
                        await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, "undo-create",
                            AuditLog.Diff(CircuitRules.Flatten(_s.Data), null));
                    }
                    await tx.CommitAsync();
                }
                // from here the number is free in PostgreSQL; the snapshot follows (should this fail, the activation stays
                // not live and goes away; the snapshot still says "exists", so Create refuses and a second UndoCreate finishes)
                removed = true;
                await _persistLock.WaitAsync();
                try
                {
                    await state.ClearStateAsync();
                }
                catch
                {
                    DeactivateOnIdle();
                    throw;
                }
                finally
                {
                    _persistLock.Release();
                }
            }
            finally
            {
                if (!removed) _s.Deleted = false;
            }
            _s = new CircuitState();
            _view = new LedgerView(_s, clock);   // the view works on _s itself: a clean one for the clean state
            // a fresh activation for whoever takes the number next (registration, caches and timers start clean)
            DeactivateOnIdle();
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>Why this activation knows the circuit is in use (money moved, calls in progress), or null.</summary>
    private string? InMemoryUse()
    {
        if (_book.Count > 0 || _inflight.Count > 0) return "chamadas em andamento";
        if (_view.NextSeq != 1 || _s.LastSeq != 0 || _creditInflight.Count > 0) return "lançamentos no razão";
        if (_view.Balance != 0m || _s.Balance != 0m || _book.Reserved != 0m) return "saldo";
        return null;
    }
}
