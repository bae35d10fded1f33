namespace Billing.Api.Infrastructure;

/// <summary>One page of a list: <c>{items, page, pageSize, total, totalPages}</c> (page starts at 1).</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total, long TotalPages);

/// <summary>Validation of <c>page</c>/<c>pageSize</c> query parameters.</summary>
public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static (int Page, int PageSize) Read(int? page, int? pageSize, FieldErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var p = page ?? 1;
        var s = pageSize ?? DefaultPageSize;
        if (p < 1) errors.Add("page", "A página começa em 1.");
        if (s is < 1 or > MaxPageSize) errors.Add("pageSize", $"O tamanho da página vai de 1 a {MaxPageSize}.");
        return (Math.Max(p, 1), Math.Clamp(s, 1, MaxPageSize));
    }

    public static PagedResult<T> Of<T>(IReadOnlyList<T> items, int page, int pageSize, long total) =>
        new(items, page, pageSize, total, total == 0 ? 0 : (total + pageSize - 1) / pageSize);
}
