using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>/api/billing/history: billings by billing date, customer, NFe number and status, newest first.</summary>
public static partial class BillingApi
{
    private static async Task<Results<Ok<PagedResult<BillingListItem>>, ValidationProblem, ProblemHttpResult>> History(BillingQueries queries,
        CancellationToken ct, string? from = null, string? to = null, long? customerId = null, string? nfe = null, string? status = null,
        int? page = null, int? pageSize = null) =>
        (await queries.History(from, to, customerId, nfe, status, page, pageSize, ct)).ToHttp(TypedResults.Ok);
}
