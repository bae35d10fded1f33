using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Billing.Api.Apis;

public sealed record AuditEntry(
    long Id, DateTimeOffset At, string Actor, string Entity, string EntityId, string Action, JsonElement Changes);

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
        NpgsqlDataSource db, CancellationToken ct,
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

        var where = new StringBuilder("TRUE");
        if (!string.IsNullOrWhiteSpace(entity)) where.Append(" AND entity = @entity");
        if (!string.IsNullOrWhiteSpace(id)) where.Append(" AND entity_id = @id");
        void Bind(NpgsqlCommand cmd)
        {
            if (!string.IsNullOrWhiteSpace(entity)) cmd.Parameters.AddWithValue("entity", entity.Trim());
            if (!string.IsNullOrWhiteSpace(id)) cmd.Parameters.AddWithValue("id", id.Trim());
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM audit_log WHERE {where}", conn))
        {
            Bind(count);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<AuditEntry>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT id, at, actor, entity, entity_id, action, changes::text
            FROM audit_log WHERE {where}
            ORDER BY id DESC
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                using var changes = JsonDocument.Parse(r.GetString(6));
                items.Add(new AuditEntry(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2),
                    r.GetString(3), r.GetString(4), r.GetString(5), changes.RootElement.Clone()));
            }
        }
        return TypedResults.Ok(new PagedResult<AuditEntry>(items, p, size, total, (total + size - 1) / size));
    }
}
