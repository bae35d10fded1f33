namespace Billing.Api.Infrastructure;

/// <summary>One page of a list: <c>{items, page, pageSize, total, totalPages}</c> (page starts at 1).</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total, long TotalPages);
