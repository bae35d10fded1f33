using System.Collections.Immutable;
using System.Globalization;

namespace Billing.GrainInterfaces.Rating;

/// <summary>The days a tariff window applies on: the weekdays, and <see cref="Holiday"/> (a holiday matches it instead of its weekday).</summary>
public enum WindowDay
{
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
    Holiday,
}

/// <summary>
/// A time window of a plan entry (horário normal / reduzido, feriados): on <see cref="Days"/>, from local minute
/// <see cref="FromMinute"/> (inclusive) to <see cref="ToMinute"/> (exclusive; 1440 = "24:00") the window's
/// <see cref="Tariff"/> applies instead of the entry's own. Local time is the circuit's time zone.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.TariffWindow")]
public sealed record TariffWindow(ImmutableArray<WindowDay> Days, int FromMinute, int ToMinute, Tariff Tariff)
{
    public const int MinutesPerDay = 1440;

    /// <summary>Most windows one entry may carry.</summary>
    public const int MaxWindows = 48;

    /// <summary>The API name of a day: <c>mon</c>…<c>sun</c>, <c>holiday</c>.</summary>
    public static string Name(WindowDay day) => day.ToString().ToLowerInvariant();

    /// <summary>The pt-BR short name of a day, for messages.</summary>
    public static string PtBr(WindowDay day) => day switch
    {
        WindowDay.Mon => "seg",
        WindowDay.Tue => "ter",
        WindowDay.Wed => "qua",
        WindowDay.Thu => "qui",
        WindowDay.Fri => "sex",
        WindowDay.Sat => "sáb",
        WindowDay.Sun => "dom",
        _ => "feriado",
    };

    public static bool TryParseDay(string? name, out WindowDay day)
    {
        day = default;
        if (name is null) return false;
        foreach (var d in Enum.GetValues<WindowDay>())
        {
            if (string.Equals(Name(d), name, StringComparison.Ordinal))
            {
                day = d;
                return true;
            }
        }
        return false;
    }

    public static WindowDay Of(DayOfWeek day) => day switch
    {
        DayOfWeek.Monday => WindowDay.Mon,
        DayOfWeek.Tuesday => WindowDay.Tue,
        DayOfWeek.Wednesday => WindowDay.Wed,
        DayOfWeek.Thursday => WindowDay.Thu,
        DayOfWeek.Friday => WindowDay.Fri,
        DayOfWeek.Saturday => WindowDay.Sat,
        _ => WindowDay.Sun,
    };

    /// <summary>"HH:mm" of a minute of the day (1440 = "24:00").</summary>
    public static string Time(int minute) =>
        string.Create(CultureInfo.InvariantCulture, $"{minute / 60:00}:{minute % 60:00}");

    /// <summary>
    /// Parses "HH:mm" (00:00–23:59, and "24:00" when <paramref name="allow24"/>) into a minute of the day; null when
    /// it is not one.
    /// </summary>
    public static int? ParseTime(string? text, bool allow24)
    {
        if (text is not { Length: 5 } || text[2] != ':' || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[1])
            || !char.IsAsciiDigit(text[3]) || !char.IsAsciiDigit(text[4])) return null;
        var h = (text[0] - '0') * 10 + (text[1] - '0');
        var m = (text[3] - '0') * 10 + (text[4] - '0');
        if (m > 59) return null;
        if (h == 24 && m == 0 && allow24) return MinutesPerDay;
        return h > 23 ? null : h * 60 + m;
    }

    /// <summary>"seg, ter 07:00–19:00": how the window reads in messages and rating parts.</summary>
    public string Label =>
        string.Join(", ", (Days.IsDefault ? [] : Days).Select(PtBr)) + " " + Time(FromMinute) + "–" + Time(ToMinute);

    /// <summary>
    /// The problems of <paramref name="windows"/> as (camelCase field path under <paramref name="field"/>, pt-BR
    /// message): each window needs days, a start before its end and a valid tariff; two windows that share a day may
    /// not overlap (one tariff per moment). Empty when valid.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Validate(IReadOnlyList<TariffWindow?> windows, string field = "windows")
    {
        ArgumentNullException.ThrowIfNull(windows);
        var errors = new List<KeyValuePair<string, string>>();
        void Add(string f, string m) => errors.Add(new(f, m));
        if (windows.Count > MaxWindows) Add(field, $"No máximo {MaxWindows} janelas por tipo de chamada.");
        for (var i = 0; i < windows.Count; i++)
        {
            var f = $"{field}[{i}]";
            if (windows[i] is not { } w)
            {
                Add(f, "Janela vazia.");
                continue;
            }
            if (w.Days.IsDefaultOrEmpty) Add($"{f}.days", "Informe ao menos um dia: mon, tue, wed, thu, fri, sat, sun ou holiday.");
            else
            {
                for (var d = 0; d < w.Days.Length; d++)
                {
                    if (!Enum.IsDefined(w.Days[d])) Add($"{f}.days[{d}]", "Dia desconhecido: use mon, tue, wed, thu, fri, sat, sun ou holiday.");
                    else if (w.Days.IndexOf(w.Days[d]) < d) Add($"{f}.days[{d}]", $"Dia repetido: {Name(w.Days[d])}.");
                }
            }
            if (w.FromMinute is < 0 or >= MinutesPerDay) Add($"{f}.from", "Use um horário de 00:00 a 23:59.");
            if (w.ToMinute is < 1 or > MinutesPerDay) Add($"{f}.to", "Use um horário de 00:01 a 24:00.");
            else if (w.FromMinute is >= 0 and < MinutesPerDay && w.ToMinute <= w.FromMinute)
                Add($"{f}.to", $"O fim ({Time(w.ToMinute)}) deve ser depois do início ({Time(w.FromMinute)}); uma janela que passa da meia-noite são duas: até 24:00 e a partir de 00:00.");
            if (w.Tariff is null) Add($"{f}.tariff", "Informe a tarifa da janela.");
            else errors.AddRange(w.Tariff.Validate($"{f}.tariff"));
        }
        if (errors.Count > 0) return errors;

        // one tariff per moment: windows sharing a day must not overlap ([from, to) intervals)
        for (var j = 1; j < windows.Count; j++)
        {
            var b = windows[j]!;
            for (var i = 0; i < j; i++)
            {
                var a = windows[i]!;
                var shared = a.Days.Intersect(b.Days).ToList();
                if (shared.Count == 0 || a.ToMinute <= b.FromMinute || b.ToMinute <= a.FromMinute) continue;
                var overlapFrom = Math.Max(a.FromMinute, b.FromMinute);
                var overlapTo = Math.Min(a.ToMinute, b.ToMinute);
                Add($"{field}[{j}].from",
                    $"A janela {field}[{j}] ({b.Label}) se sobrepõe à janela {field}[{i}] ({a.Label}) em " +
                    $"{string.Join(", ", shared.Select(PtBr))} das {Time(overlapFrom)} às {Time(overlapTo)}: num mesmo dia cada horário " +
                    "tem uma só tarifa. Ajuste os horários ou os dias.");
                break;
            }
        }
        return errors;
    }
}

/// <summary>One part of a call rated across tariff windows: the window (null = the entry's own tariff), where it
/// starts in the call (elapsed second), the seconds billed in it and their cost (exact, not rounded: the call's total
/// is rounded once).</summary>
[GenerateSerializer, Immutable, Alias("Billing.RatedPart")]
public sealed record RatedPart(int? Window, string Label, DateTimeOffset StartsAt, int FromSecond, int BilledSeconds, decimal Cost);
