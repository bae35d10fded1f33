using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Invoicing;

/// <summary>
/// The billing period (yyyy-MM) an instant falls in, for a closing day, in America/Sao_Paulo — the same rule
/// as the ledger's period (grains' <c>Periods.Of</c>, checked equal by tests), for callers that do not reference grains (the API).
/// </summary>
public static class BillingPeriod
{
    public static TimeZoneInfo SaoPaulo => SaoPauloTime.Zone;

    public static string Of(DateTimeOffset at, int closingDay = 1)
    {
        var local = SaoPauloTime.Local(at);
        var month = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        if (local.Day < Math.Clamp(closingDay, 1, 28)) month = month.AddMonths(-1);
        return month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    }
}
