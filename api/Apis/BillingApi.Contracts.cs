using Billing.Api.Application;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>/api/billing/contracts: recurring contracts, through <see cref="BillingService"/> / <see cref="BillingQueries"/>.</summary>
public static partial class BillingApi
{
    private static async Task<Results<Created<ContractResponse>, ValidationProblem, ProblemHttpResult>> CreateContract(ContractRequest body,
        BillingService billing, CancellationToken ct) =>
        (await billing.CreateContract(body, ct)).ToHttp(c => TypedResults.Created($"/api/billing/contracts/{c.Id}", c));

    private static async Task<Ok<IReadOnlyList<ContractResponse>>> ListContracts(BillingQueries queries, CancellationToken ct, long? customerId = null) =>
        TypedResults.Ok(await queries.Contracts(customerId, ct));

    private static async Task<Results<Ok<ContractResponse>, ProblemHttpResult>> GetContract(long id, BillingQueries queries, CancellationToken ct) =>
        await queries.Contract(id, ct) is { } c ? TypedResults.Ok(c) : Infrastructure.Problems.NotFound($"Contrato {id} não encontrado.");

    /// <summary>
    /// Changes a contract. Billed periods are frozen (their billed amounts and dates never change); periods not yet
    /// billed are re-created from the new schedule. The customer of a contract cannot change.
    /// </summary>
    private static async Task<Results<Ok<ContractResponse>, ValidationProblem, ProblemHttpResult>> UpdateContract(long id, ContractRequest body,
        BillingService billing, CancellationToken ct) =>
        (await billing.UpdateContract(id, body, ct)).ToHttp(TypedResults.Ok);

    /// <summary>Deletes a contract: refused (409) while any of its periods is billed (cancel the billing first).</summary>
    private static async Task<IResult> DeleteContract(long id, BillingService billing) => CommandResults.ToProblem(await billing.DeleteContract(id));
}
