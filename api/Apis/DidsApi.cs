using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Dids;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>POST /api/dids: one <c>number</c>, a list of <c>numbers</c>, or a <c>range {from, to}</c>.</summary>
public sealed record DidCreateBody(string? Number, IReadOnlyList<string>? Numbers, DidRangeBody? Range, long? ResellerId, decimal? MonthlyFee);

public sealed record DidRangeBody(string? From, string? To);

public sealed record DidCreateResult(int Created, IReadOnlyList<string> Numbers, IReadOnlyList<string> Duplicates);

public sealed record DidAssignBody(string? Account, long? ResellerId, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo, decimal? MonthlyFee);

public sealed record SigameBody(bool? Enabled, string? Destination);

public sealed record DidSettingsBody(SigameBody? Sigame, bool? AcceptsCollect);

public sealed record DidListItem(
    string Number, long? ResellerId, string? ResellerName, string? Account, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo,
    decimal? MonthlyFee, bool Active, bool SigameEnabled, string? SigameDestination, bool AcceptsCollect);


/// <summary>
/// <c>/api/dids</c>: the DID inventory (E.164). Create (single, list, range) goes to the inventory grain (one
/// statement); assign, release and routing settings go through the Did grain <c>did:&lt;e164&gt;</c> — all through
/// <see cref="DidService"/>, shared with the admin pages; lists and history read through <see cref="DidQueries"/>.
/// </summary>
public static class DidsApi
{
    public const int MaxCreate = DidService.MaxCreate;

    public static IEndpointRouteBuilder MapDidsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dids").WithTags("DIDs").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{number}", Get);
        group.MapGet("/{number}/history", History);
        group.MapPost("/{number}/assign", Assign);
        group.MapPost("/{number}/release", Release);
        group.MapPut("/{number}/settings", Settings);
        return app;
    }

    private static async Task<Results<Created<DidCreateResult>, ValidationProblem, ProblemHttpResult>> Create(
        DidCreateBody body, DidService dids, HttpContext http) =>
        (await dids.Create(new DidCreateInput(body.Number, body.Numbers, body.Range?.From, body.Range?.To, body.Range is not null,
            body.ResellerId, body.MonthlyFee), CommandResults.Actor(http))).ToHttp(r => TypedResults.Created("/api/dids", r));

    private static async Task<IResult> Get(string number, DidService dids, TimeProvider clock)
    {
        if (DidNumbers.Normalize(number) is not { } n) return Problems.Field("number", DidService.BadNumberMessage);
        var v = await dids.Get(n);
        return v is null ? Problems.NotFound(DidService.NotRegistered(n)) : TypedResults.Ok(new { did = v, active = v.IsActive(clock.GetUtcNow()) });
    }

    private static async Task<IResult> History(string number, DidQueries queries, CancellationToken ct)
    {
        if (DidNumbers.Normalize(number) is not { } n) return Problems.Field("number", DidService.BadNumberMessage);
        return TypedResults.Ok(new { number = n, assignments = await queries.History(n, ct) });
    }

    private static async Task<Results<Ok<DidView>, ValidationProblem, ProblemHttpResult>> Assign(
        string number, DidAssignBody body, DidService dids, HttpContext http) =>
        (await dids.Assign(number, new DidAssignment(body.Account!, body.ResellerId, body.ActiveFrom, body.ActiveTo, body.MonthlyFee),
            CommandResults.Actor(http))).ToHttp(v => TypedResults.Ok(v));

    private static async Task<Results<Ok<DidView>, ValidationProblem, ProblemHttpResult>> Release(string number, DidService dids, HttpContext http) =>
        (await dids.Release(number, CommandResults.Actor(http))).ToHttp(v => TypedResults.Ok(v));

    private static async Task<Results<Ok<DidView>, ValidationProblem, ProblemHttpResult>> Settings(
        string number, DidSettingsBody body, DidService dids, HttpContext http) =>
        // fields left out keep their value
        (await dids.UpdateSettings(number, body.Sigame?.Enabled, body.Sigame is not null, body.Sigame?.Destination, body.AcceptsCollect,
            CommandResults.Actor(http))).ToHttp(v => TypedResults.Ok(v));

    private static async Task<Results<Ok<PagedResult<DidListItem>>, ValidationProblem>> List(DidQueries queries, CancellationToken ct,
        string? search = null, long? resellerId = null, string? account = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (search is { Length: > 40 }) errors.Add("search", "Busca com no máximo 40 caracteres.");
        if (account is not null && !CircuitKeys.IsValidAccount(account)) errors.Add("account", "Circuito inválido.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await queries.List(search, resellerId, account, p, size, ct));
    }
}
