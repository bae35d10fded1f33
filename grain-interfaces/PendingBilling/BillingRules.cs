using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>Contract kinds ("circuito": monthly fee + usage of the period; "did": DID fee; "servico": fixed amount).</summary>
public static class ContractKinds
{
    public const string Circuito = "circuito";
    public const string Did = "did";
    public const string Servico = "servico";

    public static bool IsValid(string? k) => k is Circuito or Did or Servico;
}

/// <summary>When a contract period is billed: "antecipado" (period M on its day of M) or "posterior" (on its day of M+1).</summary>
public static class ContractTimings
{
    public const string Antecipado = "antecipado";
    public const string Posterior = "posterior";

    public static bool IsValid(string? t) => t is Antecipado or Posterior;
}

public static class BillingStatus
{
    public const string Faturado = "FATURADO";
    public const string Cancelado = "CANCELADO";
}

/// <summary>One period of a contract: its reference month and the date it becomes billable.</summary>
public readonly record struct ContractPeriod(string Reference, DateOnly ItemDate, DateOnly DueDate);

/// <summary>Pure rules of pending billing: contract schedule and billing money. No I/O.</summary>
public static class BillingRules
{
    /// <summary>How far ahead (years from today) a pending list may look, and so which future periods are billable by their id.</summary>
    public const int PendingYearsAhead = 5;

    /// <summary>Day <paramref name="day"/> of the month, clamped to the month's last day (day 31 in February = 28/29).</summary>
    public static DateOnly DayOf(int year, int month, int day) =>
        new(year, month, Math.Min(day, DateTime.DaysInMonth(year, month)));

    /// <summary>
    /// The periods of a contract whose billing date is on or before <paramref name="horizon"/>: from the month of
    /// <paramref name="start"/> to the month of <paramref name="end"/> (inclusive), period M billed on
    /// <paramref name="dayOfMonth"/> of M (antecipado) or of M+1 (posterior); due date = billing date + dueDays.
    /// </summary>
    public static IReadOnlyList<ContractPeriod> Periods(DateOnly start, DateOnly? end, int dayOfMonth, string timing, int dueDays, DateOnly horizon)
    {
        var list = new List<ContractPeriod>();
        var m = new DateOnly(start.Year, start.Month, 1);
        var shift = timing == ContractTimings.Posterior ? 1 : 0;
        while (end is null || m <= end.Value)
        {
            var charged = m.AddMonths(shift);
            var date = DayOf(charged.Year, charged.Month, dayOfMonth);
            if (date > horizon) break;
            list.Add(new ContractPeriod(BillingPeriod.Of(m).Key, date, date.AddDays(dueDays)));
            m = m.AddMonths(1);
        }
        return list;
    }

    /// <summary>"Valor real" = total − discount + interest (each rounded to centavos first).</summary>
    public static decimal ValorReal(decimal total, decimal discount, decimal interest) =>
        Common.Money.Round(total) - Common.Money.Round(discount) + Common.Money.Round(interest);

    /// <summary>The prefilled notes: what is being billed (contract names with their period, one-off descriptions).</summary>
    public static string DefaultNotes(IEnumerable<string> descriptions) =>
        "Faturamento de: " + string.Join("; ", descriptions) + ".";
}
