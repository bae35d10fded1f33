using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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
        RatingPreviewRequest body, IClusterClient cluster, TimeProvider clock, IOptions<CallLimits> limits)
    {
        var maxDuration = limits.Value.MaxDurationSeconds;
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(body.PlanId)) errors.Add("planId", "Informe o plano.");
        if (string.IsNullOrWhiteSpace(body.AreaCode)) errors.Add("areaCode", "Informe o DDD do circuito (2 dígitos).");
        if (string.IsNullOrWhiteSpace(body.Destination)) errors.Add("destination", "Informe o número discado.");
        if (body.DurationSeconds is null) errors.Add("durationSeconds", "Informe a duração em segundos.");
        else if (body.DurationSeconds is < 0 || body.DurationSeconds > maxDuration)
            errors.Add("durationSeconds", $"A duração vai de 0 a {maxDuration} segundos.");
        var timeZone = string.IsNullOrWhiteSpace(body.TimeZone) ? CircuitData.DefaultTimeZone : body.TimeZone.Trim();
        if (!TimeZones.IsKnown(timeZone))
            errors.Add("timeZone", "Fuso horário desconhecido: use um nome IANA, ex.: America/Sao_Paulo, America/Manaus, America/Noronha.");
        if (body.Uf is not null && Billing.GrainInterfaces.Registration.Uf.Normalize(body.Uf) is null)
            errors.Add("uf", "UF desconhecida: use uma das 27 siglas (ex.: SP, RJ, DF) ou omita.");
        if (errors.Any) return errors.ToProblem();

        var at = body.At ?? clock.GetUtcNow();
        var rating = await cluster.GetGrain<IPlanGrain>("plan:" + body.PlanId!.Trim())
            .RateIn(body.AreaCode!.Trim(), body.Destination!, body.DurationSeconds!.Value, at, timeZone,
                Billing.GrainInterfaces.Registration.Uf.Normalize(body.Uf));

        if (rating is { Ok: true, Classification: { } c, Rated: { } rated, Tariff: { } tariff })
        {
            return TypedResults.Ok(new RatingPreviewResponse(
                rating.PlanId!, rating.PlanVersion!.Value, c.CallType, c.MobileArea, c.NormalizedNumber, c.DestinationDdd,
                c.CountryCode, c.Csp, body.DurationSeconds.Value, rated.BilledSeconds, rated.Cost, tariff,
                rating.DeckMatch is { } m ? new RateDeckMatchResponse(m.RateDeckId, m.Version, m.Prefix, m.Destination) : null,
                at, timeZone,
                rating.Windows is { IsDefaultOrEmpty: false } ? RatingJson.WindowsOf(new PlanEntry(tariff, null, rating.Windows)) : null,
                rating.Parts is { IsDefaultOrEmpty: false } parts
                    ? [.. parts.Select(p => new RatingPartResponse(p.Window, p.Label, p.StartsAt, p.FromSecond, p.BilledSeconds, p.Cost))]
                    : []));
        }

        var code = rating.Error ?? "erro";
        var message = rating.Message ?? "A chamada não pode ser tarifada.";
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        var field = code switch
        {
            CallRating.InvalidDestination => "destination",
            CallRating.InvalidAreaCode => "areaCode",
            CallRating.UnknownPlan => "planId",
            _ => null,
        };
        if (field is not null)
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
