using Billing.GrainInterfaces.Invoicing;
using Billing.Grains.Documents;
using Billing.Grains.Invoicing;

namespace Billing.Tests.Invoicing;

public sealed class InvoiceMathTests
{
    private static InvoiceCall Call(string type, int billed, decimal amount, string direction = "outbound", string period = "2026-10", long id = 0) => new()
    {
        LedgerId = id, CallId = Guid.NewGuid().ToString("N"), StartedAt = DateTimeOffset.Parse("2026-10-10T12:00:00-03:00", System.Globalization.CultureInfo.InvariantCulture),
        Direction = direction, CallType = type, DurationSeconds = billed, BilledSeconds = billed, Amount = amount, Period = period,
    };

    [Fact]
    public void WhenCallsOfSeveralTypes_ThenTheSummaryCountsMinutesAndAmountsAndTotalsAreExactSums()
    {
        var calls = new[]
        {
            Call("local_fixo", 61, 0.10m), Call("local_fixo", 30, 0.05m), Call("ldn_movel", 125, 1.33m),
            Call("recebida", 200, 0m, "inbound"), Call("ldi", 6, 0.01m),
        };
        var c = InvoiceCalculator.Compute(calls, 37.50m, "2026-10");
        Assert.Equal(["local_fixo", "ldn_movel", "ldi", "recebida"], c.ByType.Select(t => t.CallType));
        var local = c.ByType[0];
        Assert.Equal(2, local.Count);
        Assert.Equal(91, local.Seconds);
        Assert.Equal(1.52m, local.Minutes);
        Assert.Equal(0.15m, local.Amount);
        Assert.Equal(4, c.Made.Count);
        Assert.Equal(1, c.Received.Count);
        Assert.Equal(1.49m, c.CallsTotal);
        Assert.Equal(38.99m, c.Total);
        Assert.Equal(c.CallsTotal, c.ByType.Sum(t => t.Amount));
        Assert.Equal(c.CallsTotal, c.Made.Amount + c.Received.Amount);
    }

    [Fact]
    public void WhenManyCentavoCalls_ThenTheTotalIsTheirExactSumWithNoRoundingDrift()
    {
        var rnd = new Random(7);
        var calls = Enumerable.Range(0, 10_000).Select(i => Call("local_movel", rnd.Next(1, 600), rnd.Next(0, 500) / 100m, id: i)).ToList();
        var c = InvoiceCalculator.Compute(calls, 0m, "2026-10");
        var cents = calls.Sum(x => (long)(x.Amount * 100));
        Assert.Equal(cents / 100m, c.Total);
    }

    [Fact]
    public void WhenACallHasMoreThanTwoDecimals_ThenTheCalculatorRefusesIt()
    {
        Assert.Throws<ArgumentException>(() => InvoiceCalculator.Compute([Call("local_fixo", 10, 0.105m)], 0m, "2026-10"));
    }

    [Fact]
    public void WhenLateCallsOfAnEarlierPeriodAreIncluded_ThenTheyAreCountedApart()
    {
        var c = InvoiceCalculator.Compute([Call("local_fixo", 60, 0.10m, period: "2026-09"), Call("local_fixo", 60, 0.20m)], 0m, "2026-10");
        Assert.Equal(1, c.LateCalls);
        Assert.Equal(0.10m, c.LateTotal);
        Assert.Equal(0.30m, c.Total);
    }

    [Fact]
    public void WhenConsolidatingACustomersCircuits_ThenEachPeriodTotalIsTheSumOfItsLiveInvoices()
    {
        InvoiceView Inv(string account, string period, decimal total, string status = InvoiceStatus.Aberto) =>
            new() { Account = account, Period = period, Status = status, Content = new InvoiceContent { Total = total } };
        var periods = Consolidation.ByPeriod([
            Inv("1", "2026-10", 10.01m), Inv("2", "2026-10", 5.99m), Inv("3", "2026-10", 100m, InvoiceStatus.Anulado),
            Inv("1", "2026-09", 1.00m),
        ]);
        Assert.Equal(["2026-10", "2026-09"], periods.Select(p => p.Period));
        Assert.Equal(16.00m, periods[0].Total);
        Assert.Equal(3, periods[0].Invoices.Count);
        Assert.Equal(1.00m, periods[1].Total);
    }

    [Fact]
    public void WhenAskingTheNextClose_ThenItIsTheEndOfTheOpenPeriod()
    {
        var now = DateTimeOffset.Parse("2026-11-25T15:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T00:00:00-03:00", System.Globalization.CultureInfo.InvariantCulture), InvoicePeriods.NextClose(now, 5));
        Assert.Equal("2026-10", InvoicePeriods.LastClosed(now, 5));
        Assert.Equal(new DateOnly(2026, 11, 15), InvoicePeriods.DueDate("2026-10", 5, 10));
    }

    [Theory]
    [InlineData("RASCUNHO", "ABERTO", true)]
    [InlineData("RASCUNHO", "ANULADO", true)]
    [InlineData("ABERTO", "FECHADO", true)]
    [InlineData("ABERTO", "RASCUNHO", false)]
    [InlineData("FECHADO", "ABERTO", false)]
    [InlineData("ANULADO", "ABERTO", false)]
    [InlineData("ANULADO", "FECHADO", false)]
    [InlineData("ABERTO", "PAGO", false)]
    public void WhenCheckingTransitions_ThenOnlyTheLifecycleIsAllowed(string from, string to, bool allowed)
    {
        Assert.Equal(allowed, InvoiceStatus.TransitionProblem(from, to) is null);
    }

    [Fact]
    public void WhenFormattingMoneyInPtBr_ThenItUsesDotThousandsAndCommaDecimals()
    {
        Assert.Equal("R$ 1.606,08", PtBr.Money(1606.08m));
        Assert.Equal("R$ 0,00", PtBr.Money(0m));
        Assert.Equal("05/11/2026", PtBr.Date(new DateOnly(2026, 11, 5)));
    }
}
