using Billing.Grains.Circuits;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Tests.Circuits;

/// <summary>
/// The circuit's ledger view on its own (no cluster): replay after a restart, live balance vs the durable snapshot, the
/// seq-ordered watermark, available balance and period totals.
/// </summary>
public sealed class LedgerViewTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);

    private static LedgerEntry CallRow(long seq, decimal cost, decimal balanceAfter, string type = "local_fixo",
        string direction = "outbound", int billed = 60, string period = "2026-03") => new()
    {
        Account = "4242",
        Seq = seq,
        Kind = LedgerKind.Call,
        Amount = -cost,
        BalanceAfter = balanceAfter,
        CallId = "call-" + seq,
        CallType = type,
        Direction = direction,
        BilledSeconds = billed,
        Period = period,
        CreatedAt = T0,
    };

    private static LedgerEntry CreditRow(long seq, decimal amount, decimal balanceAfter) => new()
    {
        Account = "4242",
        Seq = seq,
        Kind = LedgerKind.Credit,
        Amount = amount,
        BalanceAfter = balanceAfter,
        IdempotencyKey = "k" + seq,
        CreatedAt = T0,
    };

    [Fact]
    public void WhenTheLedgerHasRowsAfterTheSnapshot_ThenReplayFoldsThemIntoSnapshotAndLiveView()
    {
        var snapshot = new CircuitState { Exists = true, Balance = 10m, LastSeq = 5 };
        var view = new LedgerView(snapshot, _clock);

        var folded = view.Replay([CallRow(6, 0.60m, 9.40m), CreditRow(7, 5m, 14.40m), CallRow(8, 1.20m, 13.20m, billed: 120)]);

        Assert.Equal(3, folded);
        Assert.Equal(13.20m, view.Balance);
        Assert.Equal(13.20m, snapshot.Balance);
        Assert.Equal(8, snapshot.LastSeq);
        Assert.Equal(8, view.Watermark);
        Assert.Equal(9, view.NextSeq);
        Assert.True(view.Dirty);
        var totals = view.Totals("2026-03");
        var line = Assert.Single(totals.ByType);
        Assert.Equal(("local_fixo", "outbound", 2, 180L, 1.80m), (line.CallType, line.Direction, line.Count, line.Seconds, line.Amount));
        Assert.Equal(1.80m, totals.Total);
        Assert.Equal(2, snapshot.Periods["2026-03"]["local_fixo|outbound"].Count);
    }

    [Fact]
    public void WhenNothingFollowsTheSnapshot_ThenReplayStartsFromItAndLeavesItClean()
    {
        var snapshot = new CircuitState { Exists = true, Balance = 7.50m, LastSeq = 41 };
        var view = new LedgerView(snapshot, _clock);
        Assert.Equal(0, view.Replay([]));
        Assert.Equal(7.50m, view.Balance);
        Assert.Equal(42, view.TakeSeq());
        Assert.Equal(43, view.TakeSeq());
        Assert.False(view.Dirty);
    }

    [Fact]
    public void WhenACallIsCharged_ThenTheLiveBalanceMovesAtOnceAndTheSnapshotOnlyOnceItsRowIsWritten()
    {
        var snapshot = new CircuitState { Exists = true, Balance = 10m };
        var view = new LedgerView(snapshot, _clock);
        view.Replay([]);

        var row = CallRow(view.TakeSeq(), 0.60m, 9.40m);
        view.Charge(row, 0.60m);
        Assert.Equal(9.40m, view.Balance);
        Assert.Equal(10m, snapshot.Balance);
        Assert.Equal(1, view.Totals("2026-03").ByType.Single().Count);
        Assert.Empty(snapshot.Periods); // the live totals are a copy, not the snapshot's

        view.Resolve(row.Seq, row);
        Assert.Equal(9.40m, snapshot.Balance);
        Assert.Equal(1, snapshot.LastSeq);
        Assert.Equal(1, snapshot.Periods["2026-03"]["local_fixo|outbound"].Count);
        Assert.True(view.Dirty);
        view.MarkPersisted();
        Assert.False(view.Dirty);
    }

    [Fact]
    public void WhenRowsAreWrittenOutOfOrder_ThenTheWatermarkWaitsForTheGapAndSkipsFailedSeqs()
    {
        var snapshot = new CircuitState { Exists = true, Balance = 10m };
        var view = new LedgerView(snapshot, _clock);
        view.Replay([]);
        var (s1, s2, s3) = (view.TakeSeq(), view.TakeSeq(), view.TakeSeq());
        var r1 = CallRow(s1, 1m, 9m);
        var r3 = CallRow(s3, 2m, 7m);

        view.Resolve(s3, r3);
        Assert.Equal(0, view.Watermark);
        Assert.Equal(1, view.Pending);
        Assert.False(view.Dirty);

        view.Resolve(s2, null); // its write failed: skipped, never folded
        Assert.Equal(0, view.Watermark);

        view.Resolve(s1, r1);
        Assert.Equal(3, view.Watermark);
        Assert.Equal(0, view.Pending);
        Assert.Equal(7m, snapshot.Balance);
        Assert.Equal(2, snapshot.Periods["2026-03"]["local_fixo|outbound"].Count);
        Assert.True(view.Dirty);
    }

    [Fact]
    public void WhenAChargeIsReverted_ThenBalanceAndTotalsAreAsBeforeAndTheEmptyTypeIsNotListed()
    {
        var view = new LedgerView(new CircuitState { Exists = true, Balance = 3m }, _clock);
        view.Replay([]);
        var row = CallRow(view.TakeSeq(), 0.75m, 2.25m, type: "ldn_movel");
        view.Charge(row, 0.75m);
        view.Revert(row);
        Assert.Equal(3m, view.Balance);
        var totals = view.Totals("2026-03");
        Assert.Empty(totals.ByType);
        Assert.Equal(0m, totals.Total);
    }

    [Fact]
    public void WhenCreditsAndDebitsMoveTheBalance_ThenAvailableCountsTheCreditLimitAndWhatCallsHold()
    {
        var view = new LedgerView(new CircuitState { Exists = true, Balance = 2m }, _clock);
        view.Replay([]);
        view.Add(-0.50m);
        view.Add(3m);
        view.Subtract(1m);
        Assert.Equal(3.50m, view.Balance);
        Assert.Equal(3.50m + 10m - 1.25m, view.Available(creditLimit: 10m, reserved: 1.25m));

        _clock.Advance(TimeSpan.FromMinutes(5));
        var b = view.BalanceOf(10m, 1.25m);
        Assert.Equal((3.50m, 1.25m, 12.25m, 10m, "BRL", T0.AddMinutes(5)), (b.Balance, b.Reserved, b.Available, b.CreditLimit, b.Currency, b.AsOf));
    }

    [Fact]
    public void WhenAPeriodHasSeveralTypesAndDirections_ThenItsTotalsAreListedInOrderAndOtherPeriodsLeftOut()
    {
        var view = new LedgerView(new CircuitState { Exists = true, Balance = 100m }, _clock);
        view.Replay([
            CallRow(1, 1.00m, 99m, type: "local_movel"),
            CallRow(2, 0.00m, 99m, type: "recebida", direction: "inbound", billed: 30),
            CallRow(3, 0.50m, 98.50m, type: "local_fixo"),
            CallRow(4, 2.00m, 96.50m, type: "local_fixo", period: "2026-02"),
            CreditRow(5, 10m, 106.50m),
        ]);
        var totals = view.Totals("2026-03");
        Assert.Equal(["local_fixo|outbound", "local_movel|outbound", "recebida|inbound"],
            totals.ByType.Select(t => t.CallType + "|" + t.Direction));
        Assert.Equal(1.50m, totals.Total);
        Assert.Equal(2.00m, view.Totals("2026-02").Total);
        Assert.Empty(view.Totals("2025-12").ByType);
        Assert.Equal(106.50m, view.Balance);
    }
}
