using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Circuits;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Logging;

namespace Billing.Grains.Circuits;

/// <summary>
/// The durable side of a circuit: the snapshot (grain storage) and the live view, ledger replay on activation,
/// the seq-ordered durable watermark that folds written rows into the snapshot, the housekeeping timer, balance
/// and period totals, and credits.
/// </summary>
public sealed partial class CircuitGrain
{
    /// <summary>Durable snapshot being built: registration + every resolved ledger row up to LastSeq.</summary>
    private CircuitState _s = new();

    // live view (includes charges whose ledger write is in flight)
    private decimal _balance;
    private decimal _reserved;
    private long _nextSeq = 1;
    private Dictionary<string, Dictionary<string, TotalsAcc>> _live = new(StringComparer.Ordinal);

    private readonly Dictionary<string, Reservation> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompleteResult> _completed = new(StringComparer.Ordinal);
    private readonly Queue<string> _completedOrder = new();
    private readonly Dictionary<string, Task<CompleteResult>> _inflight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CreditResult> _credits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<CreditResult>> _creditInflight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, LedgerEntry?> _resolved = new();
    private readonly SemaphoreSlim _persistLock = new(1, 1);
    private bool _snapshotDirty;
    private bool _poisoned;

    private static CircuitState Clone(CircuitState s) => new()
    {
        Exists = s.Exists,
        Deleted = s.Deleted,
        Data = s.Data,
        WebPasswordHash = s.WebPasswordHash,
        CreatedAt = s.CreatedAt,
        Balance = s.Balance,
        LastSeq = s.LastSeq,
        Periods = ClonePeriods(s.Periods),
        Blacklist = [.. s.Blacklist ?? []],
        SipHa1 = s.SipHa1,
        SipRealm = s.SipRealm,
    };

    private static Dictionary<string, Dictionary<string, TotalsAcc>> ClonePeriods(Dictionary<string, Dictionary<string, TotalsAcc>> p) =>
        p.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.ToDictionary(
                t => t.Key,
                t => new TotalsAcc { Count = t.Value.Count, Seconds = t.Value.Seconds, Amount = t.Value.Amount },
                StringComparer.Ordinal),
            StringComparer.Ordinal);

    private async Task PersistAsync()
    {
        await _persistLock.WaitAsync();
        try
        {
            state.State = Clone(_s);
            await state.WriteStateAsync();
        }
        finally
        {
            _persistLock.Release();
        }
    }

    /// <summary>
    /// The holds still open when this activation starts (a restart after kill -9, a failover, a deactivation): their
    /// credit stays reserved and their calls can extend and complete as if nothing happened.
    /// </summary>
    private async Task LoadHoldsAsync(CancellationToken ct)
    {
        var holds = await ledger.ReadHoldsAsync(_account, Now, ct);
        foreach (var hold in holds)
        {
            try
            {
                Reserve(Reservation.FromHold(hold));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                log.LogError(e, "Circuito {Account}: reserva da chamada {CallId} ilegível; mantida só no banco até expirar", _account, hold.CallId);
            }
        }
        if (holds.Count > 0)
            log.LogInformation("Circuito {Account}: {Holds} reservas de chamadas em andamento recarregadas (R$ {Reserved})", _account, holds.Count, _reserved);
    }

    private async Task ReplayAsync(CancellationToken ct)
    {
        var rows = await ledger.ReadAfterAsync(_account, _s.LastSeq, ct);
        foreach (var row in rows)
        {
            Accumulate(_s.Periods, row, +1);
            _s.Balance += row.Amount;
            _s.LastSeq = row.Seq;
            Remember(row);
        }
        _balance = _s.Balance;
        _live = ClonePeriods(_s.Periods);
        _nextSeq = _s.LastSeq + 1;
        _snapshotDirty = rows.Count > 0;
        if (rows.Count > 0)
            log.LogInformation("Circuito {Account}: {Rows} lançamentos reaplicados do razão após o snapshot", _account, rows.Count);
    }

    private void Remember(LedgerEntry row)
    {
        if (row.Kind == LedgerKind.Call && row.CallId is { } id)
            RememberCall(id, ResultOf(row, CompleteStatus.Rated));
        else if (row.IdempotencyKey is { } key)
            _credits[key] = new CreditResult(true, false, row.Amount, row.BalanceAfter, row.Seq);
    }

    private void RememberCall(string id, CompleteResult result)
    {
        if (_completed.TryAdd(id, result)) _completedOrder.Enqueue(id);
        while (_completedOrder.Count > _opt.RememberCalls) _completed.Remove(_completedOrder.Dequeue());
    }

    private static CompleteResult ResultOf(LedgerEntry row, CompleteStatus status) => new()
    {
        Status = status,
        CallId = row.CallId ?? "",
        CallType = row.CallType,
        BilledSeconds = row.BilledSeconds ?? 0,
        Cost = -row.Amount,
        Balance = row.BalanceAfter,
    };

    private static void Accumulate(Dictionary<string, Dictionary<string, TotalsAcc>> periods, LedgerEntry row, int sign)
    {
        if (row.Kind != LedgerKind.Call || row.Period is null) return;
        if (!periods.TryGetValue(row.Period, out var byType))
            periods[row.Period] = byType = new Dictionary<string, TotalsAcc>(StringComparer.Ordinal);
        var key = (row.CallType ?? "") + "|" + (row.Direction ?? "");
        if (!byType.TryGetValue(key, out var acc)) byType[key] = acc = new TotalsAcc();
        acc.Count += sign;
        acc.Seconds += sign * (row.BilledSeconds ?? 0);
        acc.Amount += sign * -row.Amount;
    }

    /// <summary>Moves the durable watermark: rows are folded into the snapshot in seq order, failed seqs skipped.</summary>
    private void Resolve(long seq, LedgerEntry? written)
    {
        _resolved[seq] = written;
        while (_resolved.Remove(_s.LastSeq + 1, out var next))
        {
            if (next is not null)
            {
                Accumulate(_s.Periods, next, +1);
                _s.Balance += next.Amount;
            }
            _s.LastSeq++;
            _snapshotDirty = true;
        }
    }

    private async Task TryWriteSnapshotAsync()
    {
        if (_poisoned) return;
        try
        {
            await PersistAsync();
            _snapshotDirty = false;
            await store.UpdateBalanceAsync(_account, _s.Balance, Now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Circuito {Account}: snapshot não gravado (o razão continua a fonte da verdade)", _account);
        }
    }

    private async Task OnTimerAsync(CancellationToken ct)
    {
        var now = Now;
        foreach (var r in _reservations.Values.Where(r => r.ExpiresAt < now).ToList())
        {
            _reservations.Remove(r.CallId);
            _reserved -= r.Amount;
            ReservationGauge.Add(-1);
            log.LogInformation("Circuito {Account}: reserva da chamada {CallId} expirou sem complete", _account, r.CallId);
        }
        if (_snapshotDirty && Live) await TryWriteSnapshotAsync();
    }

    private decimal Available => _balance + _s.Data.CreditLimit - _reserved;

    public Task<BalanceView?> GetBalance() => Task.FromResult(Live
        ? new BalanceView(_balance, _reserved, Available, _s.Data.CreditLimit, "BRL", Now)
        : null);

    public Task<PeriodTotals?> GetPeriodTotals(string period)
    {
        if (!Live) return Task.FromResult<PeriodTotals?>(null);
        _live.TryGetValue(period, out var byType);
        var list = (byType ?? new Dictionary<string, TotalsAcc>(StringComparer.Ordinal))
            .Where(kv => kv.Value.Count != 0)
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv =>
            {
                var parts = kv.Key.Split('|');
                return new TypeTotals(parts[0], parts[1], kv.Value.Count, kv.Value.Seconds, kv.Value.Amount);
            })
            .ToList();
        return Task.FromResult<PeriodTotals?>(new PeriodTotals(period, list, list.Sum(t => t.Amount)));
    }


    // ---------------------------------------------------------------- credits

    public async Task<CreditResult> Credit(CreditRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Live) return new CreditResult(false, false, 0, 0, 0);
        if (request.Amount == 0 || !Money.HasAtMostTwoDecimals(request.Amount) || Math.Abs(request.Amount) > CircuitRules.MaxMoney)
            throw new ArgumentException("Valor inválido.", nameof(request));
        if (_credits.TryGetValue(request.IdempotencyKey, out var done)) return done with { Duplicate = true };
        if (_creditInflight.TryGetValue(request.IdempotencyKey, out var running)) return (await running) with { Duplicate = true };

        var tcs = new TaskCompletionSource<CreditResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _creditInflight[request.IdempotencyKey] = tcs.Task;
        try
        {
            var result = await CreditCoreAsync(request);
            tcs.SetResult(result);
            return result;
        }
        catch (Exception e)
        {
            tcs.SetException(e);
            _ = tcs.Task.Exception;
            throw;
        }
        finally
        {
            _creditInflight.Remove(request.IdempotencyKey);
        }
    }

    private async Task<CreditResult> CreditCoreAsync(CreditRequest request)
    {
        var entry = new LedgerEntry
        {
            Account = _account,
            Seq = _nextSeq++,
            Kind = LedgerKind.Credit,
            Amount = request.Amount,
            BalanceAfter = _balance + request.Amount,
            IdempotencyKey = request.IdempotencyKey,
            Description = request.Description,
            CreatedAt = Now,
            Actor = request.Actor,
        };
        // a debit counts at once (conservative); a credit only once it is durable (never spend money not yet recorded)
        if (entry.Amount < 0) _balance += entry.Amount;
        AppendOutcome outcome;
        try
        {
            outcome = await ledger.AppendAsync(entry);
        }
        catch
        {
            if (entry.Amount < 0) _balance -= entry.Amount;
            _poisoned = true;
            DeactivateOnIdle();
            throw;
        }
        if (outcome == AppendOutcome.Written)
        {
            if (entry.Amount > 0) _balance += entry.Amount;
            Resolve(entry.Seq, entry);
            var result = new CreditResult(true, false, entry.Amount, _balance, entry.Seq);
            _credits[request.IdempotencyKey] = result;
            return result;
        }
        if (entry.Amount < 0) _balance -= entry.Amount;
        Resolve(entry.Seq, null);
        if (outcome == AppendOutcome.Duplicate)
        {
            var first = await ledger.FindCreditAsync(_account, request.IdempotencyKey)
                        ?? throw new InvalidOperationException("Crédito duplicado não encontrado no razão.");
            var result = new CreditResult(true, true, first.Amount, first.BalanceAfter, first.Seq);
            _credits[request.IdempotencyKey] = result with { Duplicate = false };
            return result;
        }
        _poisoned = true;
        DeactivateOnIdle();
        throw new InvalidOperationException($"Circuito {_account}: sequência {entry.Seq} já usada por outra ativação; recarregando.");
    }
}
