using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Circuits;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Tests.Circuits;

/// <summary>The circuit's reservation book on its own (no cluster): totals held, extend/withdraw/restore, release, expiry, refusals, grants.</summary>
public sealed class ReservationBookTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(T0);
    private long _gauge;

    private ReservationBook NewBook() => new(_clock, d => _gauge += d);

    private static Reservation Call(string id, decimal amount, int seconds = 60, int expiresInSeconds = 90) =>
        new(id, "1133334444", "+551133334444", "local_fixo", CallDirection.Outbound, null, T0,
            Tariff.Simple(0.60m, 1), seconds, amount, T0.AddSeconds(expiresInSeconds));

    [Fact]
    public void WhenCallsAreReserved_ThenTheBookHoldsTheirSumAndCountsEachCallOnce()
    {
        var book = NewBook();
        book.Put(Call("a", 0.60m));
        book.Put(Call("b", 1.25m));
        Assert.Equal(2, book.Count);
        Assert.Equal(1.85m, book.Reserved);
        Assert.Equal(2, _gauge);
        Assert.True(book.TryGet("a", out var a));
        Assert.Equal(0.60m, a.Amount);
        Assert.False(book.TryGet("c", out _));
    }

    [Fact]
    public void WhenACallIsExtended_ThenItsLargerReservationReplacesTheOldOneWithoutCountingTheCallAgain()
    {
        var book = NewBook();
        var first = Call("a", 0.60m);
        book.Put(first);
        book.Put(first with { GrantedSeconds = 120, Amount = 1.20m });
        Assert.Equal(1, book.Count);
        Assert.Equal(1.20m, book.Reserved);
        Assert.Equal(1, _gauge);
    }

    [Fact]
    public void WhenAFailedHoldWriteWithdrawsAReservationThatWasReplacedMeanwhile_ThenTheNewerOneStays()
    {
        var book = NewBook();
        var first = Call("a", 0.60m);
        book.Put(first);
        var extended = first with { GrantedSeconds = 120, Amount = 1.20m };
        book.Put(extended);

        Assert.False(book.Withdraw(first)); // stale: not the call's reservation any more
        Assert.Equal(1.20m, book.Reserved);

        Assert.True(book.Withdraw(extended));
        Assert.Equal(0, book.Count);
        Assert.Equal(0m, book.Reserved);
        Assert.Equal(0, _gauge);
    }

    [Fact]
    public void WhenAFailedExtendRestores_ThenThePreviousReservationComesBackOnlyIfTheExtensionIsStillCurrent()
    {
        var book = NewBook();
        var first = Call("a", 0.60m);
        book.Put(first);
        var extended = first with { GrantedSeconds = 120, Amount = 1.20m };
        book.Put(extended);

        Assert.True(book.Restore(extended, first));
        Assert.Equal(0.60m, book.Reserved);
        Assert.True(book.TryGet("a", out var now));
        Assert.Same(first, now);

        // the call completed meanwhile: a late restore must not bring its credit back
        Assert.True(book.TryRelease("a", out _));
        Assert.False(book.Restore(extended, first));
        Assert.Equal(0, book.Count);
        Assert.Equal(0m, book.Reserved);
        Assert.Equal(0, _gauge);
    }

    [Fact]
    public void WhenACallIsReleased_ThenItsCreditIsFreedOnce()
    {
        var book = NewBook();
        book.Put(Call("a", 0.60m));
        book.Put(Call("b", 0.30m));
        Assert.True(book.TryRelease("a", out var settled));
        Assert.Equal("a", settled.CallId);
        Assert.False(book.TryRelease("a", out _));
        Assert.Equal(0.30m, book.Reserved);
        Assert.Equal(1, book.Count);
        Assert.Equal(1, _gauge);
    }

    [Fact]
    public void WhenTimePasses_ThenOnlyReservationsPastTheirExpiryAreRemoved()
    {
        var book = NewBook();
        book.Put(Call("short", 0.10m, expiresInSeconds: 30));
        book.Put(Call("edge", 0.20m, expiresInSeconds: 60));
        book.Put(Call("long", 0.40m, expiresInSeconds: 600));

        Assert.Empty(book.ExpireDue());

        _clock.Advance(TimeSpan.FromSeconds(60)); // "edge" expires at exactly now: not yet
        var expired = book.ExpireDue();
        Assert.Equal(["short"], expired.Select(r => r.CallId));
        Assert.Equal(0.60m, book.Reserved);
        Assert.Equal(2, _gauge);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["edge"], book.ExpireDue().Select(r => r.CallId));
        Assert.Empty(book.ExpireDue());
        Assert.True(book.TryGet("long", out _));
        Assert.Equal(1, book.Count);
        Assert.Equal(0.40m, book.Reserved);
        Assert.Equal(1, _gauge);
    }

    [Fact]
    public void WhenTheActivationEnds_ThenItsReservationsStopCounting()
    {
        var book = NewBook();
        book.Put(Call("a", 0.60m));
        book.Put(Call("b", 0.30m));
        book.Abandon();
        Assert.Equal(0, _gauge);
        Assert.Equal(0, book.Count);
        Assert.Equal(0m, book.Reserved);
    }

    [Fact]
    public void WhenARefusedCallIsAuthorizedLater_ThenItIsNoLongerRefused()
    {
        var book = NewBook();
        book.MarkRefused("a");
        Assert.True(book.WasRefused("a"));
        Assert.False(book.WasRefused("b"));
        book.Put(Call("a", 0.60m));
        Assert.False(book.WasRefused("a"));
    }

    [Fact]
    public void WhenMoreCallsAreRefusedThanTheBookRemembers_ThenTheOldRefusalsAreForgotten()
    {
        var book = NewBook();
        for (var i = 0; i <= ReservationBook.MaxRefused; i++) book.MarkRefused("r" + i);
        Assert.True(book.WasRefused("r0"));
        book.MarkRefused("last");
        Assert.False(book.WasRefused("r0"));
        Assert.True(book.WasRefused("last"));
    }

    [Fact]
    public void WhenTheDestinationIsFree_ThenTheWholeChunkIsGranted() =>
        Assert.Equal(300, ReservationBook.Grant(Tariff.Free, 0, 0m, 300));

    [Theory]
    [InlineData("10.00", 300)] // enough for the chunk
    [InlineData("1.00", 100)]  // 0.01/s: what the budget pays
    [InlineData("0.005", 0)]   // less than one second
    [InlineData("0", 0)]
    [InlineData("-5", 0)]      // over the credit limit
    public void WhenANewCallIsGranted_ThenTheBudgetBoundsItsSeconds(string budget, int seconds) =>
        Assert.Equal(seconds, ReservationBook.Grant(Tariff.Simple(0.60m, 1), 0, Dec(budget), 300));

    [Fact]
    public void WhenACallIsExtended_ThenWhatItAlreadyHoldsCountsAsBudget()
    {
        // 100 s already granted (R$ 1,00 held), R$ 0,50 more available: 50 more seconds
        Assert.Equal(50, ReservationBook.Grant(Tariff.Simple(0.60m, 1), 100, 0.50m, 300));
        // nothing more available: nothing more granted
        Assert.Equal(0, ReservationBook.Grant(Tariff.Simple(0.60m, 1), 100, 0m, 300));
    }

    [Fact]
    public void WhenOnlyTheFreeOrRoundedToZeroSecondsFitTheBudget_ThenNothingIsGranted()
    {
        // 30/6 with 3 free seconds: an empty circuit could "afford" 3 s, which would let it place calls charged later
        Assert.Equal(0, ReservationBook.Grant(Tariff.ThirtySix(0.60m), 0, 0m, 300));
        // R$ 0,12/min per second: 2 s cost R$ 0,004, rounded to zero, still no real grant
        Assert.Equal(0, ReservationBook.Grant(Tariff.Simple(0.12m, 1), 0, 0m, 300));
    }

    private static decimal Dec(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
}
