using Billing.Api.Application;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>/api/billing runs: "faturar" (idempotent by the Idempotency-Key header), a billing, "estorno".</summary>
public static partial class BillingApi
{
    private static async Task<Results<Created<BillingResponse>, Ok<BillingResponse>, ValidationProblem, ProblemHttpResult>> Bill(BillRequest body,
        HttpContext http, BillingService billing, CancellationToken ct)
    {
        var r = await billing.Bill(body, http.Request.Headers[IdempotencyHeader].ToString(), CommandResults.Actor(http), ct);
        if (r.IsOk)
            return r.Value!.Replayed ? Replayed(http, r.Value.Billing) : TypedResults.Created($"/api/billing/{r.Value.Billing.Id}", r.Value.Billing);
        return r.ToNoContent().Result switch
        {
            ValidationProblem v => v,
            var p => (ProblemHttpResult)p,
        };
    }

    private static Ok<BillingResponse> Replayed(HttpContext http, BillingResponse billing)
    {
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Ok(billing);
    }

    private static async Task<Results<Ok<BillingResponse>, ProblemHttpResult>> Get(long id, BillingQueries queries, CancellationToken ct) =>
        await queries.Billing(id, ct) is { } b ? TypedResults.Ok(b) : Infrastructure.Problems.NotFound($"Faturamento {id} não encontrado.");

    private static async Task<Results<Ok<BillingResponse>, ValidationProblem, ProblemHttpResult>> Cancel(long id, CancelRequest body, HttpContext http,
        BillingService billing, CancellationToken ct) =>
        (await billing.Cancel(id, body.Reason, CommandResults.Actor(http), ct)).ToHttp(TypedResults.Ok);
}
