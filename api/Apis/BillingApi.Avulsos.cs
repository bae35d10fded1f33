using Billing.Api.Application;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>/api/billing/avulsos: one-off charges, through <see cref="BillingService"/> / <see cref="BillingQueries"/>.</summary>
public static partial class BillingApi
{
    private static async Task<Results<Created<AvulsoResponse>, ValidationProblem, ProblemHttpResult>> CreateAvulso(AvulsoRequest body,
        BillingService billing, CancellationToken ct) =>
        (await billing.CreateAvulso(body, ct)).ToHttp(a => TypedResults.Created($"/api/billing/avulsos/{a.Id}", a));

    private static async Task<Ok<IReadOnlyList<AvulsoResponse>>> ListAvulsos(BillingQueries queries, CancellationToken ct, long? customerId = null) =>
        TypedResults.Ok(await queries.Avulsos(customerId, ct));

    private static async Task<Results<Ok<AvulsoResponse>, ProblemHttpResult>> GetAvulso(long id, BillingQueries queries, CancellationToken ct) =>
        await queries.Avulso(id, ct) is { } a ? TypedResults.Ok(a) : Infrastructure.Problems.NotFound($"Valor avulso {id} não encontrado.");

    private static async Task<Results<Ok<AvulsoResponse>, ValidationProblem, ProblemHttpResult>> UpdateAvulso(long id, AvulsoRequest body,
        BillingService billing, CancellationToken ct) =>
        (await billing.UpdateAvulso(id, body, ct)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> DeleteAvulso(long id, BillingService billing) => CommandResults.ToProblem(await billing.DeleteAvulso(id));
}
