using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Application;

/// <summary>The holidays of one year: the national ones (computed) and the operator's, by date.</summary>
public sealed record HolidayYear(int Year, IReadOnlyList<Holiday> Holidays);

/// <summary>
/// The holidays that tariff windows with <c>holiday</c> match, shared by <c>/api/holidays</c> and the admin page
/// <c>/admin/feriados</c>: validates first (the grain validates again), then one call of the holidays grain, which
/// owns the <c>holidays</c> table and keeps them in memory (so reads go through it too, no SQL here). Answers
/// <see cref="CommandResult{T}"/>; the REST handlers map it to HTTP, the page to field errors.
/// </summary>
public sealed class HolidayService(IClusterClient grains, TimeProvider clock)
{
    private IHolidaysGrain Grain => grains.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key);

    /// <summary>The current year on the São Paulo calendar.</summary>
    public int CurrentYear => SaoPauloTime.Today(clock).Year;

    /// <summary>The national and operator holidays of <paramref name="year"/> (default: this year); Invalid "year" outside 1900–2999.</summary>
    public async Task<CommandResult<HolidayYear>> List(int? year)
    {
        var y = year ?? CurrentYear;
        if (y is < BrazilianHolidays.MinYear or > BrazilianHolidays.MaxYear)
            return CommandResult<HolidayYear>.Invalid("year", $"Use um ano de {BrazilianHolidays.MinYear} a {BrazilianHolidays.MaxYear}.");
        var own = await Grain.List();
        var all = BrazilianHolidays.Of(y).Concat(own.Where(h => h.Date.Year == y))
            .OrderBy(h => h.Date).ThenBy(h => h.Id ?? 0)
            .ToList();
        return CommandResult<HolidayYear>.Ok(new HolidayYear(y, all));
    }

    /// <summary>Adds an operator holiday (date, name, optional UF); Invalid naming the field, Conflict when that date (and UF) has one.</summary>
    public async Task<CommandResult<Holiday>> Add(DateOnly? date, string? name, string? uf, string actor)
    {
        var errors = HolidayRules.Validate(date, name, uf);
        if (errors.Count > 0) return CommandResult<Holiday>.Invalid(errors);
        var result = await Grain.Add(date!.Value, name!, uf, actor);
        return result.Result.IsOk && result.Holiday is { } h ? CommandResult<Holiday>.Ok(h) : CommandResult<Holiday>.From(result.Result);
    }

    /// <summary>Removes an operator holiday; NotFound when there is none with that id (national ones have none).</summary>
    public Task<CommandResult> Remove(long id, string actor) => Grain.Remove(id, actor);
}
