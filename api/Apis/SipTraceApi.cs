using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

public sealed record SipTraceRequest(bool? Enabled);

/// <summary><c>/api/circuits/{account}/trace</c>: a circuit's SIP Trace through <see cref="SipTraceService"/> and <see cref="SipTraceQueries"/>.</summary>
public static class SipTraceApi
{
    public static IEndpointRouteBuilder MapSipTraceApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/circuits").WithTags("Circuitos").RequireAuthorization(Policies.Admin);
        admin.MapGet("/{account}/trace", Get);
        admin.MapPut("/{account}/trace", Set);
        return app;
    }

    private static async Task<Results<Ok<SipTraceResponse>, ValidationProblem, ProblemHttpResult>> Set(
        string account, SipTraceRequest body, SipTraceService traces, HttpContext http) =>
        (await traces.Set(account, body.Enabled, CommandResults.Actor(http))).ToHttp(TypedResults.Ok);

    private static async Task<Results<Ok<SipTraceResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string account, SipTraceQueries traces, CancellationToken ct, int? limit = null) =>
        (await traces.Get(account, limit, ct)).ToHttp(TypedResults.Ok);
}
