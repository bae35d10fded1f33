using System.Globalization;

namespace Billing.Grains.Circuits;

/// <summary>Billing periods in America/Sao_Paulo time.</summary>
public static class Periods
{
    public static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    /// <summary>
    /// The period (yyyy-MM) a call that started at <paramref name="at"/> belongs to, given the circuit's
    /// closing day: period "2026-10" with closing day 5 runs from 5 Oct 00:00 to 5 Nov 00:00 local time.
    /// Closing day 1 is the calendar month.
    /// </summary>
    public static string Of(DateTimeOffset at, int closingDay = 1)
    {
        var local = TimeZoneInfo.ConvertTime(at, SaoPaulo);
        var month = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        if (local.Day < Math.Clamp(closingDay, 1, 28)) month = month.AddMonths(-1);
        return month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    }
}
