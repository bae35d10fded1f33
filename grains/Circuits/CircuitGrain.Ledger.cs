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

    /// <summary>Live balance and totals (includes charges whose ledger write is in flight) and the watermark into <see cref="_s"/>.</summary>
    private LedgerView _view = null!; // made on activation, over the snapshot it updates

    /// <summary>Credit held by the calls in progress.</summary>
    private readonly ReservationBook _book = new(clock, ReservationGauge.Add);

    private readonly Dictionary<string, CompleteResult> _completed = new(StringComparer.Ordinal);
    private readonly Queue<string> _completedOrder = new();
    private readonly Dictionary<string, Task<CompleteResult>> _inflight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CreditResult> _credits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<CreditResult>> _creditInflight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _persistLock = new(1, 1);
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
        Periods = LedgerView.ClonePeriods(s.Periods),
        Blacklist = [.. s.Blacklist ?? []],
        SipHa1 = s.SipHa1,
        SipRealm = s.SipRealm,
    };

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
                _book.Put(Reservation.FromHold(hold));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                log.LogError(e, "Circuito {Account}: reserva da chamada {CallId} ilegível; mantida só no banco até expirar", _account, hold.CallId);
            }
        }
        if (holds.Count > 0)
            log.LogInformation("Circuito {Account}: {Holds} reservas de chamadas em andamento recarregadas (R$ {Reserved})", _account, holds.Count, _book.Reserved);
    }

    private async Task ReplayAsync(CancellationToken ct)
    {
        var rows = await ledger.ReadAfterAsync(_account, _view.Watermark, ct);
        _view.Replay(rows);
        foreach (var row in rows) Remember(row);
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

    private async Task TryWriteSnapshotAsync()
    {
        if (_poisoned) return;
        try
        {
            await PersistAsync();
            _view.MarkPersisted();
            await store.UpdateBalanceAsync(_account, _s.Balance, Now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Circuito {Account}: snapshot não gravado (o razão continua a fonte da verdade)", _account);
        }
    }

    private async Task OnTimerAsync(CancellationToken ct)
    {
        foreach (var r in _book.ExpireDue())
            log.LogInformation("Circuito {Account}: reserva da chamada {CallId} expirou sem complete", _account, r.CallId);
        CheckLowBalance(lifted: false);
        if (_view.Dirty && Live) await TryWriteSnapshotAsync();
    }

    private decimal Available => _view.Available(_s.Data.CreditLimit, _book.Reserved);

    public Task<BalanceView?> GetBalance() => Task.FromResult(Live ? _view.BalanceOf(_s.Data.CreditLimit, _book.Reserved) : null);

    public Task<PeriodTotals?> GetPeriodTotals(string period)
    {
        return Task.FromResult(Live ? _view.Totals(period) : null);
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
            Seq = _view.TakeSeq(),
            Kind = LedgerKind.Credit,
            Amount = request.Amount,
            BalanceAfter = _view.Balance + request.Amount,
            IdempotencyKey = request.IdempotencyKey,
            Description = request.Description,
            CreatedAt = Now,
            Actor = request.Actor,
        };
        // a debit counts at once (conservative); a credit only once it is durable (never spend money not yet recorded)
        if (entry.Amount < 0) _view.Add(entry.Amount);
        AppendOutcome outcome;
        try
        {
            outcome = await ledger.AppendAsync(entry);
        }
        catch
        {
            if (entry.Amount < 0) _view.Subtract(entry.Amount);
            _poisoned = true;
            DeactivateOnIdle();
            throw;
        }
        if (outcome == AppendOutcome.Written)
        {
            if (entry.Amount > 0) _view.Add(entry.Amount);
            _view.Resolve(entry.Seq, entry);
            var result = new CreditResult(true, false, entry.Amount, _view.Balance, entry.Seq);
            _credits[request.IdempotencyKey] = result;
            // a debit may cross a threshold; a credit re-arms what it lifted, durable before the answer
            CheckLowBalance(lifted: entry.Amount > 0);
            await AlarmWritesSettled();
            return result;
        }
        if (entry.Amount < 0) _view.Subtract(entry.Amount);
        _view.Resolve(entry.Seq, null);
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
