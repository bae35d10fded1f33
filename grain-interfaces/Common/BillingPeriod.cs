using System.Globalization;

namespace Billing.GrainInterfaces.Common;

/// <summary>
/// One billing period: a month, written <c>MM/yyyy</c> on screen (<see cref="Label"/>) and <c>yyyy-MM</c> as its key
/// (<see cref="Key"/>: ledger, invoices, statements, the SQL function <c>billing_period</c> of
/// <c>deploy/sql/0015_period.sql</c>). With a closing day <c>d</c> (1..28; 1 = the calendar month) period
/// <c>10/2026</c> runs from 2026-10-d 00:00 to 2026-11-d 00:00 on the São Paulo wall clock (<see cref="SaoPauloTime"/>);
/// Brazil has had no daylight saving time since 2019, so since then every boundary is at −03:00.
/// Every parse, label, bound and "period of an instant" of the system goes through this type.
/// </summary>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    public const int MinYear = 2000;
    public const int MaxYear = 2999;

    private static readonly string[] ShortMonthNames = ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"];

    public int Year { get; }
    public int Month { get; }

    public BillingPeriod(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, MinYear);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, MaxYear);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        Year = year;
        Month = month;
    }

    /// <summary><c>yyyy-MM</c>: the stored and wire key (sorts as the period does).</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");

    /// <summary><c>MM/yyyy</c>: the period as people read and type it.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Month:D2}/{Year:D4}");

    /// <summary><c>out/26</c>: chart axis label.</summary>
    public string ShortLabel => string.Create(CultureInfo.InvariantCulture, $"{ShortMonthNames[Month - 1]}/{Year % 100:D2}");

    public override string ToString() => Key;

    /// <summary>The <see cref="Label"/> of a stored key ("2026-10" → "10/2026"); text that is no period is shown as it is.</summary>
    public static string LabelOf(string? key) => TryParse(key, out var p) ? p.Label : key ?? "";

    /// <summary>The <see cref="ShortLabel"/> of a stored key ("2026-10" → "out/26"); text that is no period is shown as it is.</summary>
    public static string ShortLabelOf(string? key) => TryParse(key, out var p) ? p.ShortLabel : key ?? "";

    public int CompareTo(BillingPeriod other) => Index.CompareTo(other.Index);

    public static bool operator <(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) < 0;
    public static bool operator >(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) > 0;
    public static bool operator <=(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) <= 0;
    public static bool operator >=(BillingPeriod a, BillingPeriod b) => a.CompareTo(b) >= 0;

    public BillingPeriod AddMonths(int months)
    {
        var index = Index + months;
        return new BillingPeriod(Math.DivRem(index, 12, out var m), m + 1);
    }

    public BillingPeriod Previous => AddMonths(-1);

    public BillingPeriod Next => AddMonths(1);

    /// <summary>The closing day actually used: clamped to 1..28 so every month has it.</summary>
    public static int ClosingDay(int closingDay) => Math.Clamp(closingDay, 1, 28);

    /// <summary>First local day of the period.</summary>
    public DateOnly FirstDay(int closingDay = 1) => new(Year, Month, ClosingDay(closingDay));

    /// <summary>First instant of the period (inclusive): São Paulo midnight of <see cref="FirstDay"/>.</summary>
    public DateTimeOffset Start(int closingDay = 1) => Midnight(FirstDay(closingDay));

    /// <summary>End of the period (exclusive): the next period's <see cref="Start"/>.</summary>
    public DateTimeOffset End(int closingDay = 1) => Midnight(FirstDay(closingDay).AddMonths(1));

    /// <summary>Last instant of the period (one tick before <see cref="End"/>).</summary>
    public DateTimeOffset Last(int closingDay = 1) => End(closingDay).AddTicks(-1);

    /// <summary>[start, end) of the period.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Bounds(int closingDay = 1) => (Start(closingDay), End(closingDay));

    /// <summary>True when <paramref name="at"/> lies in [Start, End).</summary>
    public bool Contains(DateTimeOffset at, int closingDay = 1) => at >= Start(closingDay) && at < End(closingDay);

    /// <summary>The period <paramref name="at"/> falls in, for a closing day (1 = the calendar month).</summary>
    public static BillingPeriod Of(DateTimeOffset at, int closingDay = 1)
    {
        var local = SaoPauloTime.Local(at);
        var p = new BillingPeriod(local.Year, local.Month);
        return local.Day < ClosingDay(closingDay) ? p.Previous : p;
    }

    /// <summary>The calendar month of a local date.</summary>
    public static BillingPeriod Of(DateOnly day) => new(day.Year, day.Month);

    /// <summary>
    /// <c>MM/yyyy</c> (also <c>M/yyyy</c> and <c>MM-yyyy</c>, for paths) or the key <c>yyyy-MM</c> (also <c>yyyy/MM</c>);
    /// surrounding blanks ignored.
    /// Years <see cref="MinYear"/>..<see cref="MaxYear"/>.
    /// </summary>
    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.AsSpan().Trim();
        var sep = t.IndexOfAny('/', '-');
        if (sep < 0 || t[(sep + 1)..].IndexOfAny('/', '-') >= 0) return false;
        var yearFirst = sep == 4;
        var y = yearFirst ? t[..4] : t[(sep + 1)..];
        var m = yearFirst ? t[5..] : t[..sep];
        if (y.Length != 4 || m.Length is not (1 or 2) || (yearFirst && m.Length != 2)) return false;
        if (!int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year is < MinYear or > MaxYear || month is < 1 or > 12) return false;
        period = new BillingPeriod(year, month);
        return true;
    }

    /// <summary>A stored key (<c>yyyy-MM</c>) known to be valid; a bad one is a programming error.</summary>
    public static BillingPeriod Parse(string text) =>
        TryParse(text, out var p) ? p : throw new FormatException($"Período inválido: '{text}' (esperado MM/AAAA ou AAAA-MM).");

    /// <summary>
    /// Reads a period a person typed into <paramref name="field"/>: null and the period, or the pt-BR problem naming the
    /// field (for a 400 that changes nothing).
    /// </summary>
    public static string? Read(string? text, string field, out BillingPeriod period) =>
        TryParse(text, out period)
            ? null
            : string.IsNullOrWhiteSpace(text)
                ? $"Informe o período em '{field}' no formato MM/AAAA (ex.: 08/2025)."
                : $"Período inválido em '{field}': use MM/AAAA (ex.: 08/2025), entre {MinYear} e {MaxYear}.";

    /// <summary>
    /// Problem of a period outside [today's month − <paramref name="pastYears"/> years, today's month +
    /// <paramref name="futureYears"/> years], naming <paramref name="field"/>: far months are typing errors.
    /// </summary>
    public string? OutsideWindow(string field, DateOnly today, int pastYears = InputRules.PastYears, int futureYears = InputRules.FutureYears)
    {
        var now = Of(today);
        var min = Clamped(now.Index - 12 * pastYears);
        var max = Clamped(now.Index + 12 * futureYears);
        return this < min || this > max ? $"Período em '{field}' fora do intervalo aceito ({min.Label} a {max.Label})." : null;
    }

    private int Index => Year * 12 + (Month - 1);

    private static BillingPeriod Clamped(int index)
    {
        var i = Math.Clamp(index, MinYear * 12, MaxYear * 12 + 11);
        return new BillingPeriod(Math.DivRem(i, 12, out var m), m + 1);
    }

    private static DateTimeOffset Midnight(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, SaoPauloTime.Zone.GetUtcOffset(local));
    }
}
