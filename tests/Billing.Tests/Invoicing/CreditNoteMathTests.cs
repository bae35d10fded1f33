using Billing.GrainInterfaces.Invoicing;
using Billing.Grains.Invoicing;

namespace Billing.Tests.Invoicing;

/// <summary>The deduction of postpaid credit notes on an invoice, pure (no cluster): oldest first, never below zero, the rest carries over.</summary>
public sealed class CreditNoteMathTests
{
    private static readonly InvoiceContent Invoice = new() { MonthlyFee = 30.00m, CallsTotal = 1.00m, Total = 31.00m };

    [Fact]
    public void WhenTheCreditsExceedTheTotal_ThenTheTotalIsZero_AndOnlyWhatFitsIsTaken()
    {
        var c = InvoiceCalculator.ApplyCredits(Invoice,
            [new AvailableCredit(1, "NC-000001", 10, 20.00m), new AvailableCredit(2, "NC-000002", 10, 25.50m), new AvailableCredit(3, "NC-000003", 10, 5m)]);
        Assert.Equal(0.00m, c.Total);
        Assert.Equal(31.00m, c.CreditsTotal);
        Assert.Equal([(1L, 20.00m), (2L, 11.00m)], c.Credits.Select(l => (l.CreditNoteId, l.Amount)));
    }

    [Fact]
    public void WhenTheCreditsFit_ThenEachIsALine_AndTheTotalIsReducedToTheCent()
    {
        var c = InvoiceCalculator.ApplyCredits(Invoice, [new AvailableCredit(7, "NC-000007", 3, 14.50m), new AvailableCredit(8, "NC-000008", 3, 0m)]);
        Assert.Equal(16.50m, c.Total);
        Assert.Equal(31.00m, c.Total + c.CreditsTotal);
        Assert.Equal("NC-000007", Assert.Single(c.Credits).DocumentNumber);
    }

    [Fact]
    public void WhenThereIsNoCredit_ThenTheContentIsUnchanged()
    {
        var c = InvoiceCalculator.ApplyCredits(Invoice, []);
        Assert.Equal(31.00m, c.Total);
        Assert.Empty(c.Credits);
        Assert.Equal(0m, c.CreditsTotal);
    }
}
