using Billing.GrainInterfaces.Common;

namespace Billing.Grains.Invoicing;

/// <summary>
/// Invoice dates of a period (pure), on top of <see cref="BillingPeriod"/>: period "2026-10" with closing day 5 runs from
/// 5 Oct 00:00 to 5 Nov 00:00 São Paulo time.
/// </summary>
public static class InvoicePeriods
{
    /// <summary>Due date: <paramref name="dueDays"/> days after the period's end (local date).</summary>
    public static DateOnly DueDate(string period, int closingDay, int dueDays) =>
        BillingPeriod.Parse(period).FirstDay(closingDay).AddMonths(1).AddDays(Math.Max(0, dueDays));

    /// <summary>The next instant after <paramref name="now"/> at which a period of this closing day closes.</summary>
    public static DateTimeOffset NextClose(DateTimeOffset now, int closingDay) => BillingPeriod.Of(now, closingDay).End(closingDay);

    /// <summary>The last period already closed at <paramref name="now"/>.</summary>
    public static string LastClosed(DateTimeOffset now, int closingDay) => BillingPeriod.Of(now, closingDay).Previous.Key;
}
