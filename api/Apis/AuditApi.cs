using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>
/// <c>GET /api/audit?entity=&amp;id=&amp;page=&amp;pageSize=</c>: the audit log (table <c>audit_log</c>), newest first.
/// <c>entity</c> is e.g. <c>customer</c> or <c>circuit</c>; <c>id</c> the entity's id.
/// </summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", List).WithTags("Auditoria").RequireAuthorization(Policies.Admin);
        return app;
    }

    private static async Task<Results<Ok<PagedResult<AuditEntry>>, ValidationProblem>> List(
        AuditQueries audit, CancellationToken ct,
        string? entity = null, string? id = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var p = page ?? 1;
        var size = pageSize ?? CustomersApi.DefaultPageSize;
        if (p < 1) errors.Add("page", "A página começa em 1.");
        if (size is < 1 or > CustomersApi.MaxPageSize)
            errors.Add("pageSize", string.Create(CultureInfo.InvariantCulture, $"pageSize deve estar entre 1 e {CustomersApi.MaxPageSize}."));
        if (id is not null && string.IsNullOrWhiteSpace(entity))
            errors.Add("entity", "Informe a entidade (ex.: customer, circuit) ao filtrar por id.");
        if (errors.Any) return errors.ToProblem();

        return TypedResults.Ok(await audit.Page(entity, id, p, size, ct));
    }
}
