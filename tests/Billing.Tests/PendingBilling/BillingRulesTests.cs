using Billing.GrainInterfaces.PendingBilling;

namespace Billing.Tests.BillingRuns;

public sealed class BillingRulesTests
{
    [Fact]
    public void WhenAContractIsAntecipado_ThenPeriodMIsBilledOnItsDayOfMAndTheHorizonIsInclusive()
    {
        var p = BillingRules.Periods(new DateOnly(2026, 1, 20), null, 15, ContractTimings.Antecipado, 5, new DateOnly(2026, 3, 15));
        Assert.Equal(["2026-01", "2026-02", "2026-03"], p.Select(x => x.Reference));
        Assert.Equal(new DateOnly(2026, 3, 15), p[^1].ItemDate);
        Assert.Equal(new DateOnly(2026, 3, 20), p[^1].DueDate);
        Assert.Equal(2, BillingRules.Periods(new DateOnly(2026, 1, 20), null, 15, ContractTimings.Antecipado, 5, new DateOnly(2026, 3, 14)).Count);
    }

    [Fact]
    public void WhenAContractIsPosterior_ThenPeriodMIsBilledInMPlusOneAndStopsAtTheEndDate()
    {
        var p = BillingRules.Periods(new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 28), 31, ContractTimings.Posterior, 0, new DateOnly(2027, 1, 1));
        Assert.Equal(["2026-01", "2026-02"], p.Select(x => x.Reference));
        Assert.Equal(new DateOnly(2026, 2, 28), p[0].ItemDate); // day 31 in February = its last day
        Assert.Equal(new DateOnly(2026, 3, 31), p[1].ItemDate);
    }

    [Theory]
    [InlineData("100.00", "10.005", "0.004", "89.99")]
    [InlineData("100.00", "0", "1.005", "101.01")]
    [InlineData("0.10", "0.10", "0", "0.00")]
    public void WhenDiscountAndInterestAreApplied_ThenValorRealIsRoundedToCentavosHalfAwayFromZero(string total, string discount, string interest, string expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(D(expected), BillingRules.ValorReal(D(total), D(discount), D(interest)));
    }
}
