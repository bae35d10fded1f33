using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Apis;

public sealed record HolidayRequest(DateOnly? Date, string? Name, string? Uf);

/// <summary>A holiday as the API shows it: national ones are computed (no id, cannot be deleted).</summary>
public sealed record HolidayResponse(long? Id, DateOnly Date, string Name, string? Uf, bool National);

/// <summary>
/// Holidays that tariff windows with <c>holiday</c> match: <c>GET /api/holidays?year=</c> (national, computed, plus the
/// operator's), <c>POST /api/holidays {date, name, uf?}</c>, <c>DELETE /api/holidays/{id}</c> (operator's only; the
/// holidays grain owns the table).
/// </summary>
public static class HolidaysApi
{
    public static IEndpointRouteBuilder MapHolidaysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/holidays").WithTags("Feriados").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapDelete("/{id}", Delete);
        return app;
    }

    private static HolidayResponse ToResponse(Holiday h) => new(h.Id, h.Date, h.Name, h.Uf, h.National);

    private static async Task<IResult> List(int? year, IClusterClient cluster, TimeProvider clock)
    {
        var y = year ?? SaoPauloTime.Today(clock).Year;
        if (y is < BrazilianHolidays.MinYear or > BrazilianHolidays.MaxYear)
            return Problems.Field("year", $"Use um ano de {BrazilianHolidays.MinYear} a {BrazilianHolidays.MaxYear}.");
        var own = await cluster.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key).List();
        var all = BrazilianHolidays.Of(y).Concat(own.Where(h => h.Date.Year == y))
            .OrderBy(h => h.Date).ThenBy(h => h.Id ?? 0)
            .Select(ToResponse)
            .ToList();
        return TypedResults.Ok(new { year = y, holidays = all });
    }

    private static async Task<IResult> Create(HolidayRequest body, IClusterClient cluster, HttpContext http)
    {
        var errors = HolidayRules.Validate(body.Date, body.Name, body.Uf);
        if (errors.Count > 0) return Problems.Validation(errors);
        var result = await cluster.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key)
            .Add(body.Date!.Value, body.Name!, body.Uf, CommandResults.Actor(http));
        if (!result.Result.IsOk || result.Holiday is not { } h) return CommandResults.ToProblem(result.Result);
        return TypedResults.Created($"/api/holidays/{h.Id}", ToResponse(h));
    }

    private static async Task<IResult> Delete(long id, IClusterClient cluster, HttpContext http)
    {
        var result = await cluster.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key).Remove(id, CommandResults.Actor(http));
        return result.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(result);
    }
}
