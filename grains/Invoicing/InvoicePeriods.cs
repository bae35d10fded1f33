using System.Globalization;
using Billing.Grains.Circuits;

namespace Billing.Grains.Invoicing;

/// <summary>
/// Period boundaries in America/Sao_Paulo (pure). Period "2026-10" with closing day 5 runs from
/// 5 Oct 00:00 to 5 Nov 00:00 local time, the same rule as <see cref="Periods.Of"/>.
/// </summary>
public static class InvoicePeriods
{
    public static bool TryParse(string? period, out int year, out int month)
    {
        year = month = 0;
        return period is { Length: 7 } && period[4] == '-'
            && int.TryParse(period.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year)
            && int.TryParse(period.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out month)
            && year is >= 2000 and <= 2999 && month is >= 1 and <= 12;
    }

    public static string Name(int year, int month) =>
        new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Add(string period, int months)
    {
        if (!TryParse(period, out var y, out var m)) throw new ArgumentException($"Período inválido: {period}", nameof(period));
        var d = new DateTime(y, m, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(months);
        return Name(d.Year, d.Month);
    }

    /// <summary>Start (inclusive) and end (exclusive) instants of the period.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Bounds(string period, int closingDay)
    {
        if (!TryParse(period, out var y, out var m)) throw new ArgumentException($"Período inválido: {period}", nameof(period));
        var day = Math.Clamp(closingDay, 1, 28);
        var start = new DateTime(y, m, day, 0, 0, 0, DateTimeKind.Unspecified);
        return (Local(start), Local(start.AddMonths(1)));
    }

    /// <summary>Due date: <paramref name="dueDays"/> days after the period's end (local date).</summary>
    public static DateOnly DueDate(string period, int closingDay, int dueDays)
    {
        var (_, end) = Bounds(period, closingDay);
        var local = TimeZoneInfo.ConvertTime(end, Periods.SaoPaulo);
        return DateOnly.FromDateTime(local.DateTime).AddDays(Math.Max(0, dueDays));
    }

    /// <summary>The next instant after <paramref name="now"/> at which a period of this closing day closes.</summary>
    public static DateTimeOffset NextClose(DateTimeOffset now, int closingDay)
    {
        var open = Periods.Of(now, closingDay);
        return Bounds(open, closingDay).End;
    }

    /// <summary>The last period already closed at <paramref name="now"/>.</summary>
    public static string LastClosed(DateTimeOffset now, int closingDay) => Add(Periods.Of(now, closingDay), -1);

    private static DateTimeOffset Local(DateTime local)
    {
        var offset = Periods.SaoPaulo.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
