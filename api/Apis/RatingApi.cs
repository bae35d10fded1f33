using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

public sealed record RatingPreviewRequest(string? PlanId, string? AreaCode, string? Destination, int? DurationSeconds, DateTimeOffset? At,
    string? TimeZone = null, string? Uf = null);

/// <summary>A part of a previewed call: its window (null = the entry's own tariff), where it starts, seconds billed, exact cost.</summary>
public sealed record RatingPartResponse(int? Window, string Label, DateTimeOffset StartsAt, int FromSecond, int Seconds, decimal Cost);

public sealed record RateDeckMatchResponse(string Id, int Version, string Prefix, string Destination);

public sealed record RatingPreviewResponse(
    string PlanId,
    int PlanVersion,
    CallType CallType,
    MobileArea MobileArea,
    string NormalizedNumber,
    string? DestinationDdd,
    string? CountryCode,
    string? Csp,
    int DurationSeconds,
    int BilledSeconds,
    decimal Cost,
    Tariff Tariff,
    RateDeckMatchResponse? RateDeck,
    DateTimeOffset At,
    string TimeZone,
    IReadOnlyList<TariffWindowResponse>? Windows,
    IReadOnlyList<RatingPartResponse> Parts);

/// <summary><c>POST /api/rating/preview</c>: how a call would be classified and charged, and why.</summary>
public static class RatingApi
{
    public static IEndpointRouteBuilder MapRatingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rating").WithTags("Tarifação").RequireAuthorization(Policies.Admin);
        group.MapPost("/preview", Preview);
        return app;
    }

    private static async Task<Results<Ok<RatingPreviewResponse>, ValidationProblem, ProblemHttpResult>> Preview(
        RatingPreviewRequest body, PlanService plans)
    {
        var result = await plans.Preview(body);
        if (!result.IsOk) return Problems.Validation(result.Errors?.ToDictionary() ?? [], result.Message);
        var rating = result.Value!.Rating;
        if (rating.Ok) return TypedResults.Ok(PlanService.ToResponse(result.Value, body.DurationSeconds!.Value));

        var code = rating.Error ?? "erro";
        var message = rating.Message ?? "A chamada não pode ser tarifada.";
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (PlanService.FieldOf(rating) is { } field)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [message] },
                detail: code == CallRating.InvalidDestination ? "Destino inválido: " + message : message,
                title: "Dados inválidos",
                extensions: extensions);
        }
        return TypedResults.Problem(detail: message, statusCode: 422, title: Problems.TitleFor(422), extensions: extensions);
    }
}
