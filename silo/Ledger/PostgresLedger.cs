using System.Threading.Channels;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Silo.Ledger;

/// <summary>
/// Group-commit ledger writer (its credit holds: <see cref="PostgresHoldWriter"/>): grains hand rows to a channel; <see cref="LedgerOptions.Writers"/> loops each take
/// everything waiting (up to <see cref="MaxBatch"/>) and write it in one implicit transaction: a binary COPY
/// (the fast path), or, when a unique index refuses a row of the batch, one multi-row
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING</c> that tells written rows from
/// Duplicate/SeqConflict ones. A row is acknowledged only after its commit (synchronous_commit on), so nothing
/// acknowledged is lost.
/// </summary>
public sealed class PostgresLedger : ILedger, IAsyncDisposable
{
    public const int MaxBatch = 2000;

    private readonly NpgsqlDataSource _db;
    private readonly ILogger<PostgresLedger> _log;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _loops;
    private readonly LedgerMetrics _metrics;
    private readonly bool _copyEnabled;
    private readonly PostgresHoldWriter _holds;

    private sealed record Pending(LedgerEntry Entry, TaskCompletionSource<AppendOutcome> Done);

    private int _disposed;

    public PostgresLedger(NpgsqlDataSource db, ILogger<PostgresLedger> log, LedgerMetrics metrics, IOptions<LedgerOptions> options,
        TimeProvider? clock = null)
    {
        _db = db;
        _log = log;
        _metrics = metrics;
        _copyEnabled = options.Value.Copy;
        _loops = Enumerable.Range(0, Math.Clamp(options.Value.Writers, 1, 64)).Select(_ => Task.Run(LoopAsync)).ToArray();
        _holds = new PostgresHoldWriter(db, log, metrics, options.Value, clock ?? TimeProvider.System);
    }

    public int Backlog => _queue.Reader.CanCount ? _queue.Reader.Count : 0;

    public Task<AppendOutcome> AppendAsync(LedgerEntry entry)
    {
        var p = new Pending(entry, new TaskCompletionSource<AppendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(p))
            throw new InvalidOperationException("O gravador do razão está parado.");
        return p.Done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var skipCopy = 0;
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0) continue;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                if (_copyEnabled && skipCopy == 0)
                {
                    var copied = await TryCopyAsync(batch);
                    if (copied == CopyOutcome.Written)
                    {
                        foreach (var p in batch) p.Done.TrySetResult(AppendOutcome.Written);
                        _metrics.RecordBatch(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                        continue;
                    }
                    // a unique index refused a row (a retried call, a seq taken by another activation): nothing of
                    // the COPY was written; this batch and the next few go through INSERT … ON CONFLICT instead.
                    // A row the database refused for its content: this batch is isolated row by row below.
                    if (copied == CopyOutcome.UniqueViolation) skipCopy = 16;
                }
                else if (skipCopy > 0)
                {
                    skipCopy--;
                }
                await InsertIsolatedAsync(batch);
                _metrics.RecordBatch(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }
            catch (Exception e)
            {
                // not a refusal of one row (connection lost, server shutting down…): the outcome is unknown for
                // every row not yet answered, and their grains rebuild from the ledger
                _log.LogError(e, "Falha ao gravar lote de {Count} lançamentos no razão", batch.Count);
                foreach (var p in batch) p.Done.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// PostgreSQL errors that belong to the data of a row, not to the server or the connection: data exceptions
    /// (22: NUL byte, numeric overflow, bad encoding…), integrity violations other than the arbitrated unique keys
    /// (23) and program limits (54: an index row too large). A batch refused for one of these is split until the
    /// refused row stands alone; every other row is written as if nothing happened.
    /// </summary>
    public static bool IsRowRefusal(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal)
        || (e.SqlState.StartsWith("23", StringComparison.Ordinal) && e.SqlState != PostgresErrorCodes.UniqueViolation)
        || e.SqlState.StartsWith("54", StringComparison.Ordinal);

    /// <summary>
    /// Writes <paramref name="items"/> with <paramref name="write"/>; when the database refuses a row's content
    /// (<see cref="IsRowRefusal"/>), halves them and writes each half on its own (log2(n) extra statements per refused
    /// row) until the refused one stands alone and goes to <paramref name="refused"/>. Every written group goes to
    /// <paramref name="written"/> with what <paramref name="write"/> answered. Shared by ledger rows and holds.
    /// </summary>
    internal static async Task IsolateAsync<T, TResult>(List<T> items, Func<List<T>, Task<TResult>> write,
        Func<List<T>, TResult, Task> written, Action<T, PostgresException> refused)
    {
        TResult result;
        try
        {
            result = await write(items);
        }
        catch (PostgresException e) when (IsRowRefusal(e))
        {
            if (items.Count == 1)
            {
                refused(items[0], e);
                return;
            }
            var half = items.Count / 2;
            await IsolateAsync(items.GetRange(0, half), write, written, refused);
            await IsolateAsync(items.GetRange(half, items.Count - half), write, written, refused);
            return;
        }
        await written(items, result);
    }

    /// <summary>INSERT … ON CONFLICT of the batch, refused rows isolated; conflicts classified as Duplicate/SeqConflict.</summary>
    private Task InsertIsolatedAsync(List<Pending> batch) =>
        IsolateAsync(batch, InsertAsync,
            async (rows, inserted) =>
            {
                foreach (var p in rows)
                {
                    if (inserted.Contains((p.Entry.Account, p.Entry.Seq)))
                        p.Done.TrySetResult(AppendOutcome.Written);
                    else
                        p.Done.TrySetResult(await ClassifyConflictAsync(p.Entry));
                }
            },
            (p, e) =>
            {
                _log.LogWarning("Razão recusou o lançamento {Account}/{Seq} (chamada {CallId}): {SqlState} {Message}",
                    p.Entry.Account, p.Entry.Seq, InputRules.Printable(p.Entry.CallId ?? "", CallInput.MaxCallId), e.SqlState, e.MessageText);
                p.Done.TrySetResult(AppendOutcome.Refused);
            });

    private async Task<AppendOutcome> ClassifyConflictAsync(LedgerEntry e)
    {
        var existing = e.Kind == LedgerKind.Call
            ? await FindCallAsync(e.CallId!)
            : await FindCreditAsync(e.Account, e.IdempotencyKey!);
        return existing is not null ? AppendOutcome.Duplicate : AppendOutcome.SeqConflict;
    }

    private const string Columns =
        "account, seq, kind, amount, balance_after, call_id, idempotency_key, description, direction, destination, normalized, " +
        "call_type, started_at, answered_at, duration_seconds, billed_seconds, price_per_minute, hangup_cause, caller, period, " +
        "source, created_at, actor, reseller_id, reseller_amount, did";

    private enum CopyOutcome
    {
        Written,
        UniqueViolation,
        RowRefused,
    }

    /// <summary>
    /// The fast path: one binary COPY of the whole batch (one implicit transaction, no per-row conflict
    /// arbitration). Anything but Written: nothing was written.
    /// </summary>
    private async Task<CopyOutcome> TryCopyAsync(List<Pending> batch)
    {
        await using var conn = await _db.OpenConnectionAsync();
        try
        {
            await using var w = await conn.BeginBinaryImportAsync($"COPY ledger ({Columns}) FROM STDIN (FORMAT BINARY)");
            foreach (var p in batch)
            {
                var e = p.Entry;
                await w.StartRowAsync();
                await w.WriteAsync(e.Account, NpgsqlDbType.Text);
                await w.WriteAsync(e.Seq, NpgsqlDbType.Bigint);
                await w.WriteAsync(e.Kind == LedgerKind.Call ? "call" : "credit", NpgsqlDbType.Text);
                await w.WriteAsync(e.Amount, NpgsqlDbType.Numeric);
                await w.WriteAsync(e.BalanceAfter, NpgsqlDbType.Numeric);
                await w.WriteAsync(e.CallId, NpgsqlDbType.Text);
                await w.WriteAsync(e.IdempotencyKey, NpgsqlDbType.Text);
                await w.WriteAsync(e.Description, NpgsqlDbType.Text);
                await w.WriteAsync(e.Direction, NpgsqlDbType.Text);
                await w.WriteAsync(e.Destination, NpgsqlDbType.Text);
                await w.WriteAsync(e.Normalized, NpgsqlDbType.Text);
                await w.WriteAsync(e.CallType, NpgsqlDbType.Text);
                await w.WriteAsync(e.StartedAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(e.AnsweredAt?.UtcDateTime, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(e.DurationSeconds, NpgsqlDbType.Integer);
                await w.WriteAsync(e.BilledSeconds, NpgsqlDbType.Integer);
                await w.WriteAsync(e.PricePerMinute, NpgsqlDbType.Numeric);
                await w.WriteAsync(e.HangupCause, NpgsqlDbType.Text);
                await w.WriteAsync(e.Caller, NpgsqlDbType.Text);
                await w.WriteAsync(e.Period, NpgsqlDbType.Text);
                await w.WriteAsync(e.Source, NpgsqlDbType.Text);
                await w.WriteAsync(e.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                await w.WriteAsync(e.Actor, NpgsqlDbType.Text);
                await w.WriteAsync(e.ResellerId, NpgsqlDbType.Bigint);
                await w.WriteAsync(e.ResellerAmount, NpgsqlDbType.Numeric);
                await w.WriteAsync(e.Did, NpgsqlDbType.Text);
            }
            await w.CompleteAsync();
            return CopyOutcome.Written;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return CopyOutcome.UniqueViolation;
        }
        catch (PostgresException e) when (IsRowRefusal(e))
        {
            return CopyOutcome.RowRefused;
        }
    }

    private async Task<HashSet<(string, long)>> InsertAsync(List<Pending> batch)
    {
        var n = batch.Count;
        T[] Col<T>(Func<LedgerEntry, T> f)
        {
            var a = new T[n];
            for (var i = 0; i < n; i++) a[i] = f(batch[i].Entry);
            return a;
        }

        await using var cmd = _db.CreateCommand(
            """
            INSERT INTO ledger (account, seq, kind, amount, balance_after, call_id, idempotency_key, description,
                                direction, destination, normalized, call_type, started_at, answered_at,
                                duration_seconds, billed_seconds, price_per_minute, hangup_cause, caller, period,
                                source, created_at, actor, reseller_id, reseller_amount, did)
            SELECT * FROM unnest(@account, @seq, @kind, @amount, @balance_after, @call_id, @idempotency_key, @description,
                                 @direction, @destination, @normalized, @call_type, @started_at, @answered_at,
                                 @duration_seconds, @billed_seconds, @price_per_minute, @hangup_cause, @caller, @period,
                                 @source, @created_at, @actor, @reseller_id, @reseller_amount, @did)
            ON CONFLICT DO NOTHING
            RETURNING account, seq
            """);
        var p = cmd.Parameters;
        p.Add(new NpgsqlParameter("account", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Col(e => e.Account) });
        p.Add(new NpgsqlParameter("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = Col(e => e.Seq) });
        p.Add(new NpgsqlParameter("kind", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = Col(e => e.Kind == LedgerKind.Call ? "call" : "credit") });
        p.Add(new NpgsqlParameter("amount", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = Col(e => e.Amount) });
        p.Add(new NpgsqlParameter("balance_after", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = Col(e => e.BalanceAfter) });
        p.Add(Text("call_id", Col(e => e.CallId)));
        p.Add(Text("idempotency_key", Col(e => e.IdempotencyKey)));
        p.Add(Text("description", Col(e => e.Description)));
        p.Add(Text("direction", Col(e => e.Direction)));
        p.Add(Text("destination", Col(e => e.Destination)));
        p.Add(Text("normalized", Col(e => e.Normalized)));
        p.Add(Text("call_type", Col(e => e.CallType)));
        p.Add(new NpgsqlParameter("started_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = Col(e => e.StartedAt?.UtcDateTime) });
        p.Add(new NpgsqlParameter("answered_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = Col(e => e.AnsweredAt?.UtcDateTime) });
        p.Add(new NpgsqlParameter("duration_seconds", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = Col(e => e.DurationSeconds) });
        p.Add(new NpgsqlParameter("billed_seconds", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = Col(e => e.BilledSeconds) });
        p.Add(new NpgsqlParameter("price_per_minute", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = Col(e => e.PricePerMinute) });
        p.Add(Text("hangup_cause", Col(e => e.HangupCause)));
        p.Add(Text("caller", Col(e => e.Caller)));
        p.Add(Text("period", Col(e => e.Period)));
        p.Add(Text("source", Col(e => (string?)e.Source)));
        p.Add(new NpgsqlParameter("created_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = Col(e => e.CreatedAt.UtcDateTime) });
        p.Add(Text("actor", Col(e => e.Actor)));
        p.Add(new NpgsqlParameter("reseller_id", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = Col(e => e.ResellerId) });
        p.Add(new NpgsqlParameter("reseller_amount", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { Value = Col(e => e.ResellerAmount) });
        p.Add(Text("did", Col(e => e.Did)));

        var inserted = new HashSet<(string, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) inserted.Add((r.GetString(0), r.GetInt64(1)));
        return inserted;
    }

    private static NpgsqlParameter Text(string name, string?[] values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values };

    private const string SelectColumns =
        """
        SELECT account, seq, kind, amount, balance_after, call_id, idempotency_key, description, direction,
               destination, normalized, call_type, started_at, answered_at, duration_seconds, billed_seconds,
               price_per_minute, hangup_cause, caller, period, source, created_at, actor,
               reseller_id, reseller_amount, did
        FROM ledger
        """;

    public async Task<IReadOnlyList<LedgerEntry>> ReadAfterAsync(string account, long afterSeq, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(SelectColumns + " WHERE account = @a AND seq > @s ORDER BY seq");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("s", afterSeq);
        return await ReadAll(cmd, ct);
    }

    public async Task<LedgerEntry?> FindCallAsync(string callId, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(SelectColumns + " WHERE kind = 'call' AND call_id = @c");
        cmd.Parameters.AddWithValue("c", callId);
        return (await ReadAll(cmd, ct)).FirstOrDefault();
    }

    public async Task<LedgerEntry?> FindCreditAsync(string account, string idempotencyKey, CancellationToken ct = default)
    {
        await using var cmd = _db.CreateCommand(SelectColumns + " WHERE kind = 'credit' AND account = @a AND idempotency_key = @k");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("k", idempotencyKey);
        return (await ReadAll(cmd, ct)).FirstOrDefault();
    }

    private static async Task<IReadOnlyList<LedgerEntry>> ReadAll(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<LedgerEntry>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
            int? I(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
            list.Add(new LedgerEntry
            {
                Account = r.GetString(0),
                Seq = r.GetInt64(1),
                Kind = r.GetString(2) == "call" ? LedgerKind.Call : LedgerKind.Credit,
                Amount = r.GetDecimal(3),
                BalanceAfter = r.GetDecimal(4),
                CallId = S(5),
                IdempotencyKey = S(6),
                Description = S(7),
                Direction = S(8),
                Destination = S(9),
                Normalized = S(10),
                CallType = S(11),
                StartedAt = T(12),
                AnsweredAt = T(13),
                DurationSeconds = I(14),
                BilledSeconds = I(15),
                PricePerMinute = r.IsDBNull(16) ? null : r.GetDecimal(16),
                HangupCause = S(17),
                Caller = S(18),
                Period = S(19),
                Source = r.GetString(20),
                CreatedAt = new DateTimeOffset(r.GetDateTime(21), TimeSpan.Zero),
                Actor = S(22),
                ResellerId = r.IsDBNull(23) ? null : r.GetInt64(23),
                ResellerAmount = r.IsDBNull(24) ? null : r.GetDecimal(24),
                Did = S(25),
            });
        }
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        // disposed once per registration (as PostgresLedger and as ILedger): the second call finds it stopped
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        var holds = _holds.DisposeAsync().AsTask();
        await Task.WhenAll(_loops.Append(holds)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ credit holds (PostgresHoldWriter)

    public Task<AppendOutcome> HoldAsync(CallHold hold) => _holds.HoldAsync(hold);

    public Task<IReadOnlyList<CallHold>> ReadHoldsAsync(string account, DateTimeOffset now, CancellationToken ct = default) =>
        _holds.ReadHoldsAsync(account, now, ct);

    /// <inheritdoc cref="PostgresHoldWriter.PurgeHoldsAsync"/>
    public Task<int> PurgeHoldsAsync(DateTimeOffset before, CancellationToken ct = default) => _holds.PurgeHoldsAsync(before, ct);

    public Task<string?> FindHoldAccountAsync(string callId, DateTimeOffset now, CancellationToken ct = default) =>
        _holds.FindHoldAccountAsync(callId, now, ct);
}
