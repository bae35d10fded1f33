using Billing.Api.Application;
using Billing.Api.Infrastructure;
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

    private static async Task<IResult> List(int? year, HolidayService holidays) =>
        (await holidays.List(year)).ToHttp(v => TypedResults.Ok(new { year = v.Year, holidays = v.Holidays.Select(ToResponse).ToList() }));

    private static async Task<IResult> Create(HolidayRequest body, HolidayService holidays, HttpContext http) =>
        (await holidays.Add(body.Date, body.Name, body.Uf, CommandResults.Actor(http)))
            .ToHttp(h => TypedResults.Created($"/api/holidays/{h.Id}", ToResponse(h)));

    private static async Task<IResult> Delete(long id, HolidayService holidays, HttpContext http) =>
        CommandResults.ToProblem(await holidays.Remove(id, CommandResults.Actor(http)));
}
