using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

public sealed record PlanCreateRequest(string? Id, string? Name, DateTimeOffset? ValidFrom, Dictionary<string, PlanEntryDto?>? Entries);

public sealed record PlanUpdateRequest(string? Name, DateTimeOffset? ValidFrom, Dictionary<string, PlanEntryDto?>? Entries);

public sealed record PlanListItem(string Id, string Name, int Versions, int LatestVersion, DateTimeOffset LatestValidFrom, DateTimeOffset UpdatedAt);

/// <summary>
/// Tariff plans: <c>POST/GET /api/plans</c>, <c>GET/PUT /api/plans/{id}</c>. A PUT adds a new version in force
/// from its <c>validFrom</c>; calls are rated with the version in force when they started.
/// </summary>
public static class PlansApi
{
    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/plans").WithTags("Planos").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", AddVersion);
        return app;
    }

    private static async Task<Results<Created<PlanResponse>, ValidationProblem, ProblemHttpResult>> Create(
        PlanCreateRequest body, PlanService plans) =>
        (await plans.Create(body)).ToHttp(plan =>
            TypedResults.Created($"/api/plans/{Uri.EscapeDataString(plan.Id)}", RatingJson.ToResponse(plan)));

    private static async Task<Results<Ok<PlanResponse>, ValidationProblem, ProblemHttpResult>> AddVersion(
        string id, PlanUpdateRequest body, PlanService plans) =>
        (await plans.AddVersion(id, body)).ToHttp(plan => TypedResults.Ok(RatingJson.ToResponse(plan)));

    private static async Task<Results<Ok<PlanResponse>, ProblemHttpResult>> Get(string id, PlanService plans)
    {
        var plan = await plans.Get(id);
        return plan is null ? Problems.NotFound($"O plano '{id}' não existe.") : TypedResults.Ok(RatingJson.ToResponse(plan));
    }

    private static async Task<Results<Ok<PagedResult<PlanListItem>>, ValidationProblem>> List(PlanQueries plans, int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await plans.List(p, size, ct));
    }
}
