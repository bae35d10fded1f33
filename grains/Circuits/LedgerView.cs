using Billing.GrainInterfaces.Circuits;
using Billing.Grains.Ledger;

namespace Billing.Grains.Circuits;

/// <summary>
/// A circuit's view of its ledger. Two sides:
/// <list type="bullet">
/// <item>live: the balance and period totals with every row this activation charged, including rows whose ledger
/// write is still in flight (what authorize and the balance queries see), and the next ledger seq;</item>
/// <item>durable: the <see cref="CircuitState"/> snapshot (balance, totals, <see cref="CircuitState.LastSeq"/>) that
/// folds in written rows in seq order only (the watermark), skipping seqs whose write failed.</item>
/// </list>
/// After a restart, <see cref="Replay"/> folds the ledger rows after the snapshot into both. Plain class, no Orleans:
/// the circuit grain calls it from its turns only (not thread-safe), and it is unit-tested on its own.
/// </summary>
/// <param name="snapshot">The snapshot the grain persists; this view updates its balance, totals and LastSeq in place.</param>
/// <param name="clock">Time stamped on <see cref="BalanceOf"/>.</param>
internal sealed class LedgerView(CircuitState snapshot, TimeProvider clock)
{
    private readonly SortedDictionary<long, LedgerEntry?> _resolved = new();
    private Dictionary<string, Dictionary<string, TotalsAcc>> _live = new(StringComparer.Ordinal);
    private long _nextSeq = 1;

    /// <summary>Live balance: the snapshot's plus every row charged since (written or in flight).</summary>
    public decimal Balance { get; private set; }

    /// <summary>The snapshot has rows folded in that storage does not have yet.</summary>
    public bool Dirty { get; private set; }

    /// <summary>The seq the next ledger row of this activation gets (see <see cref="TakeSeq"/>).</summary>
    public long NextSeq => _nextSeq;

    /// <summary>Highest seq folded into the snapshot: every row up to it is written or known failed.</summary>
    public long Watermark => snapshot.LastSeq;

    /// <summary>Rows resolved out of order, waiting for a lower seq before the watermark can pass them.</summary>
    public int Pending => _resolved.Count;

    /// <summary>What the circuit can still spend: balance + credit limit − what its calls in progress hold.</summary>
    public decimal Available(decimal creditLimit, decimal reserved) => Balance + creditLimit - reserved;

    public BalanceView BalanceOf(decimal creditLimit, decimal reserved) =>
        new(Balance, reserved, Available(creditLimit, reserved), creditLimit, "BRL", clock.GetUtcNow());

    /// <summary>
    /// Folds the ledger rows after the snapshot (ordered by seq) into it, then starts the live side from it. Returns
    /// the number of rows folded; any makes the snapshot <see cref="Dirty"/>.
    /// </summary>
    public int Replay(IReadOnlyList<LedgerEntry> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            Accumulate(snapshot.Periods, row, +1);
            snapshot.Balance += row.Amount;
            snapshot.LastSeq = row.Seq;
        }
        Balance = snapshot.Balance;
        _live = ClonePeriods(snapshot.Periods);
        _nextSeq = snapshot.LastSeq + 1;
        Dirty = rows.Count > 0;
        return rows.Count;
    }

    /// <summary>The seq of a new ledger row (never given twice by this view).</summary>
    public long TakeSeq() => _nextSeq++;

    /// <summary>Charges a rated call (<paramref name="entry"/>, costing <paramref name="cost"/>) to the live side at once.</summary>
    public void Charge(LedgerEntry entry, decimal cost)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Balance -= cost;
        Accumulate(_live, entry, +1);
    }

    /// <summary>Undoes <see cref="Charge"/> (the row was not written).</summary>
    public void Revert(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Balance -= entry.Amount;
        Accumulate(_live, entry, -1);
    }

    /// <summary>Adds <paramref name="amount"/> to the live balance (a credit or debit, no period totals).</summary>
    public void Add(decimal amount) => Balance += amount;

    /// <summary>Takes <paramref name="amount"/> off the live balance (the undo of <see cref="Add"/>).</summary>
    public void Subtract(decimal amount) => Balance -= amount;

    /// <summary>
    /// Moves the durable watermark: seq <paramref name="seq"/> is resolved — <paramref name="written"/> is its row, or
    /// null when its write failed (the seq is skipped). Rows are folded into the snapshot in seq order.
    /// </summary>
    public void Resolve(long seq, LedgerEntry? written)
    {
        _resolved[seq] = written;
        while (_resolved.Remove(snapshot.LastSeq + 1, out var next))
        {
            if (next is not null)
            {
                Accumulate(snapshot.Periods, next, +1);
                snapshot.Balance += next.Amount;
            }
            snapshot.LastSeq++;
            Dirty = true;
        }
    }

    /// <summary>The snapshot was written to storage.</summary>
    public void MarkPersisted() => Dirty = false;

    /// <summary>The live totals of <paramref name="period"/> by call type and direction (types with no call left out).</summary>
    public PeriodTotals Totals(string period)
    {
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
        return new PeriodTotals(period, list, list.Sum(t => t.Amount));
    }

    internal static void Accumulate(Dictionary<string, Dictionary<string, TotalsAcc>> periods, LedgerEntry row, int sign)
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

    internal static Dictionary<string, Dictionary<string, TotalsAcc>> ClonePeriods(Dictionary<string, Dictionary<string, TotalsAcc>> p) =>
        p.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.ToDictionary(
                t => t.Key,
                t => new TotalsAcc { Count = t.Value.Count, Seconds = t.Value.Seconds, Amount = t.Value.Amount },
                StringComparer.Ordinal),
            StringComparer.Ordinal);
}
