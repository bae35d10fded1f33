using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Rating;

/// <summary>A holiday: national (computed, <see cref="Id"/> null) or defined by the operator (optionally for one UF).</summary>
[GenerateSerializer, Immutable, Alias("Billing.Holiday")]
public sealed record Holiday(long? Id, DateOnly Date, string Name, string? Uf)
{
    public bool National => Id is null;
}

/// <summary>
/// The Brazilian national holidays of any year: the fixed dates (Lei 662/1949, 6.802/1980, 14.759/2023) and the ones
/// that move with Easter (Carnaval Monday and Tuesday, Sexta-feira Santa, Corpus Christi — pontos facultativos
/// federais that operators bill as holidays). Easter by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
/// </summary>
public static class BrazilianHolidays
{
    public const int MinYear = 1900;
    public const int MaxYear = 2999;

    private static readonly ConcurrentDictionary<int, FrozenSet<DateOnly>> Dates = new();

    /// <summary>Easter Sunday of <paramref name="year"/> (Gregorian calendar).</summary>
    public static DateOnly Easter(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1583);
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = (19 * a + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + 2 * e + 2 * i - h - k) % 7;
        var m = (a + 11 * h + 22 * l) / 451;
        var month = (h + l - 7 * m + 114) / 31;
        var day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>The national holidays of <paramref name="year"/>, by date.</summary>
    public static IReadOnlyList<Holiday> Of(int year)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, MinYear);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, MaxYear);
        var easter = Easter(year);
        var list = new List<Holiday>
        {
            new(null, new DateOnly(year, 1, 1), "Confraternização Universal", null),
            new(null, easter.AddDays(-48), "Carnaval (segunda-feira)", null),
            new(null, easter.AddDays(-47), "Carnaval (terça-feira)", null),
            new(null, easter.AddDays(-2), "Sexta-feira Santa", null),
            new(null, new DateOnly(year, 4, 21), "Tiradentes", null),
            new(null, new DateOnly(year, 5, 1), "Dia do Trabalho", null),
            new(null, easter.AddDays(60), "Corpus Christi", null),
            new(null, new DateOnly(year, 9, 7), "Independência do Brasil", null),
            new(null, new DateOnly(year, 10, 12), "Nossa Senhora Aparecida", null),
            new(null, new DateOnly(year, 11, 2), "Finados", null),
            new(null, new DateOnly(year, 11, 15), "Proclamação da República", null),
            new(null, new DateOnly(year, 12, 25), "Natal", null),
        };
        // national since Lei 14.759/2023
        if (year >= 2024) list.Add(new(null, new DateOnly(year, 11, 20), "Dia Nacional de Zumbi e da Consciência Negra", null));
        return [.. list.OrderBy(h => h.Date)];
    }

    /// <summary>True when <paramref name="date"/> is a national holiday.</summary>
    public static bool IsNational(DateOnly date) =>
        date.Year is >= MinYear and <= MaxYear
        && Dates.GetOrAdd(date.Year, y => Of(y).Select(h => h.Date).ToFrozenSet()).Contains(date);
}

/// <summary>
/// Which days are holidays for one circuit: the national ones plus the operator's — those without a UF, and those of
/// the circuit customer's UF (a UF-specific holiday does not apply when the customer's UF is not known).
/// </summary>
public sealed class HolidayCalendar
{
    private readonly FrozenSet<DateOnly> _operator;

    public HolidayCalendar(IEnumerable<Holiday> operatorHolidays, string? uf)
    {
        ArgumentNullException.ThrowIfNull(operatorHolidays);
        Uf = Registration.Uf.Normalize(uf);
        _operator = operatorHolidays.Where(h => h.Uf is null || (Uf is not null && string.Equals(h.Uf, Uf, StringComparison.Ordinal)))
            .Select(h => h.Date).ToFrozenSet();
    }

    /// <summary>National holidays only.</summary>
    public static HolidayCalendar National { get; } = new([], null);

    public string? Uf { get; }

    public bool IsHoliday(DateOnly date) => BrazilianHolidays.IsNational(date) || _operator.Contains(date);
}

/// <summary>The operator's holidays (key <see cref="Key"/>): owns the <c>holidays</c> table.</summary>
[Alias("Billing.IHolidaysGrain")]
public interface IHolidaysGrain : IGrainWithStringKey
{
    public const string Key = "holidays";

    /// <summary>Every operator-defined holiday, by date.</summary>
    [Alias("List"), Orleans.Concurrency.ReadOnly]
    Task<ImmutableArray<Holiday>> List();

    /// <summary>Adds a holiday; Invalid naming the field (date, name, uf), Conflict when that date (and UF) already has one.</summary>
    [Alias("Add")]
    Task<HolidayResult> Add(DateOnly date, string name, string? uf, string actor);

    /// <summary>Removes an operator holiday; NotFound when there is none with that id.</summary>
    [Alias("Remove")]
    Task<CommandResult> Remove(long id, string actor);
}

[GenerateSerializer, Immutable, Alias("Billing.HolidayResult")]
public sealed record HolidayResult([property: Id(0)] CommandResult Result, [property: Id(1)] Holiday? Holiday);

/// <summary>The rules of an operator holiday, shared by the API and the grain.</summary>
public static class HolidayRules
{
    public static Dictionary<string, string[]> Validate(DateOnly? date, string? name, string? uf)
    {
        var e = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (date is null) e["date"] = ["Informe a data (AAAA-MM-DD)."];
        else if (date.Value.Year is < 2000 or > 2099) e["date"] = ["Use uma data de 2000 a 2099."];
        if (InputRules.RequiredText(name, 120) is { } badName) e["name"] = [badName];
        if (uf is not null && Registration.Uf.Normalize(uf) is null)
            e["uf"] = [$"UF desconhecida: use uma das 27 siglas (ex.: SP, RJ, DF) ou omita para todo o país."];
        return e;
    }
}
