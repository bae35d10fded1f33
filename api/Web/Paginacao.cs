using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace Billing.Api.Web;

/// <summary>"Página X de Y - Mostrando N de T" with links that keep the other query parameters.</summary>
public sealed record Paginacao(int Page, long TotalPages, long Total, int Shown, IQueryCollection Query, string? TotalLabel = null)
{
    public string Link(int page)
    {
        var qb = new QueryBuilder();
        foreach (var (k, v) in Query)
            if (!string.Equals(k, "pagina", StringComparison.OrdinalIgnoreCase))
                foreach (var s in v) qb.Add(k, s ?? "");
        qb.Add("pagina", page.ToString(CultureInfo.InvariantCulture));
        return qb.ToQueryString().Value ?? "";
    }
}
