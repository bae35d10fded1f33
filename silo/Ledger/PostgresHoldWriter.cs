using System.Threading.Channels;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Silo.Ledger;

/// <summary>
/// The credit holds of <see cref="PostgresLedger"/> (<c>call_holds</c>): group commit of the holds the circuit grains
/// take (<see cref="LedgerOptions.HoldWriters"/> loops), their reads at activation and by call id, and the periodic
/// purge of expired hold versions (every <see cref="LedgerOptions.HoldPurgeSeconds"/>).
/// </summary>
internal sealed class PostgresHoldWriter : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly ILogger _log;
    private readonly LedgerMetrics _metrics;
    private readonly bool _holdsSynchronousCommit;

    private sealed record HoldOp(CallHold Hold, TaskCompletionSource<AppendOutcome> Done);

    private readonly Channel<HoldOp> _holds = Channel.CreateUnbounded<HoldOp>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _holdLoops;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _purge;

    public PostgresHoldWriter(NpgsqlDataSource db, ILogger log, LedgerMetrics metrics, LedgerOptions options, TimeProvider clock)
    {
        _db = db;
        _log = log;
        _metrics = metrics;
        _holdsSynchronousCommit = options.HoldsSynchronousCommit;
        _holdLoops = Enumerable.Range(0, Math.Clamp(options.HoldWriters, 1, 64)).Select(_ => Task.Run(HoldLoopAsync)).ToArray();
        _purge = PurgeLoopAsync(clock, TimeSpan.FromSeconds(Math.Max(1, options.HoldPurgeSeconds)));
    }

    /// <summary>Stops taking holds, writes those waiting, stops the purge.</summary>
    public async ValueTask DisposeAsync()
    {
        _holds.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_holdLoops.Append(_purge)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    public Task<AppendOutcome> HoldAsync(CallHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var op = new HoldOp(hold, new TaskCompletionSource<AppendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_holds.Writer.TryWrite(op))
            throw new InvalidOperationException("O gravador de reservas está parado.");
        return op.Done.Task;
    }

    /// <summary>
    /// Group commit of holds: every hold waiting, appended with one binary COPY (one implicit transaction). Nothing
    /// is updated or deleted per call, so a hold costs one row and its index entries. A hold the database refuses is
    /// isolated like a ledger row.
    /// </summary>
    private async Task HoldLoopAsync()
    {
        var batch = new List<HoldOp>(PostgresLedger.MaxBatch);
        while (await _holds.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < PostgresLedger.MaxBatch && _holds.Reader.TryRead(out var op)) batch.Add(op);
            if (batch.Count == 0) continue;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await WriteHoldsIsolatedAsync(batch);
                _metrics.RecordHoldBatch(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
            catch (Exception e)
            {
                _log.LogError(e, "Falha ao gravar lote de {Count} reservas de crédito", batch.Count);
                foreach (var op in batch) op.Done.TrySetException(e);
            }
        }
    }

    private Task WriteHoldsIsolatedAsync(List<HoldOp> ops) =>
        PostgresLedger.IsolateAsync(ops,
            async group =>
            {
                await CopyHoldsAsync(group);
                return true;
            },
            (group, _) =>
            {
                foreach (var op in group) op.Done.TrySetResult(AppendOutcome.Written);
                return Task.CompletedTask;
            },
            (op, e) =>
            {
                _log.LogWarning("Reserva da chamada {CallId} recusada pelo banco: {SqlState} {Message}",
                    InputRules.Printable(op.Hold.CallId, CallInput.MaxCallId), e.SqlState, e.MessageText);
                op.Done.TrySetResult(AppendOutcome.Refused);
            });

    /// <summary>
    /// One binary COPY of the holds. With <see cref="LedgerOptions.HoldsSynchronousCommit"/> off the transaction's
    /// commit does not wait for the WAL flush.
    /// </summary>
    private async Task CopyHoldsAsync(List<HoldOp> ops)
    {
        await using var conn = await _db.OpenConnectionAsync();
        await using var tx = _holdsSynchronousCommit ? null : await conn.BeginTransactionAsync();
        if (tx is not null)
        {
            await using var off = new NpgsqlCommand("SET LOCAL synchronous_commit = off", conn, tx);
            await off.ExecuteNonQueryAsync();
        }
        await using (var w = await conn.BeginBinaryImportAsync(
                         "COPY call_holds (account, call_id, amount, granted_seconds, expires_at, data, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var op in ops)
            {
                var h = op.Hold;
                await w.StartRowAsync();
                await w.WriteAsync(h.Account, NpgsqlDbType.Text);
                await w.WriteAsync(h.CallId, NpgsqlDbType.Text);
                await w.WriteAsync(h.Amount, NpgsqlDbType.Numeric);
                await w.WriteAsync(h.GrantedSeconds, NpgsqlDbType.Integer);
                await w.WriteAsync(h.ExpiresAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(h.Data, NpgsqlDbType.Text);
                await w.WriteAsync(h.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        if (tx is not null) await tx.CommitAsync();
    }

    public async Task<IReadOnlyList<CallHold>> ReadHoldsAsync(string account, DateTimeOffset now, CancellationToken ct = default)
    {
        // the latest version of each call's hold (an extend appends a larger one), if still open
        await using var cmd = _db.CreateCommand(
            """
            SELECT call_id, amount, granted_seconds, expires_at, data, updated_at FROM (
                SELECT DISTINCT ON (call_id) call_id, amount, granted_seconds, expires_at, data, updated_at
                FROM call_holds WHERE account = @a
                ORDER BY call_id, updated_at DESC, granted_seconds DESC
            ) h
            WHERE h.expires_at > @now
              AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'call' AND l.call_id = h.call_id)
            ORDER BY updated_at
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        var list = new List<CallHold>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new CallHold
            {
                Account = account,
                CallId = r.GetString(0),
                Amount = r.GetDecimal(1),
                GrantedSeconds = r.GetInt32(2),
                ExpiresAt = new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero),
                Data = r.GetString(4),
                UpdatedAt = new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero),
            });
        }
        return list;
    }

    /// <summary>
    /// Deletes hold versions that expired before <paramref name="before"/> (every silo runs it every
    /// <see cref="LedgerOptions.HoldPurgeSeconds"/>; a hold is useless once expired, settled or not). Returns the rows deleted.
    /// </summary>
    public async Task<int> PurgeHoldsAsync(DateTimeOffset before, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM call_holds WHERE expires_at < @before");
        cmd.Parameters.AddWithValue("before", before.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task PurgeLoopAsync(TimeProvider clock, TimeSpan every)
    {
        using var timer = new PeriodicTimer(every, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    var n = await PurgeHoldsAsync(clock.GetUtcNow(), _stopping.Token);
                    if (n > 0) _log.LogDebug("{Count} versões de reservas expiradas removidas", n);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.LogWarning(e, "Limpeza de reservas expiradas falhou; tenta de novo no próximo ciclo");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task<string?> FindHoldAccountAsync(string callId, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(
            "SELECT account FROM call_holds WHERE call_id = @c AND expires_at > @now ORDER BY updated_at DESC LIMIT 1");
        cmd.Parameters.AddWithValue("c", callId);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }
}
