using Billing.GrainInterfaces.Invoicing;

namespace Billing.Grains.Circuits;

/// <summary>Billing periods in America/Sao_Paulo time (the one rule lives in <see cref="BillingPeriod"/>).</summary>
public static class Periods
{
    public static TimeZoneInfo SaoPaulo => BillingPeriod.SaoPaulo;

    /// <summary>
    /// The period (yyyy-MM) a call that started at <paramref name="at"/> belongs to, given the circuit's
    /// closing day: period "2026-10" with closing day 5 runs from 5 Oct 00:00 to 5 Nov 00:00 local time.
    /// Closing day 1 is the calendar month.
    /// </summary>
    public static string Of(DateTimeOffset at, int closingDay = 1) => BillingPeriod.Of(at, closingDay);
}
