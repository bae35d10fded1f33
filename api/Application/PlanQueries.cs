using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>Read-only queries of the plans (the <c>plans</c> read model, written by the Plan grains).</summary>
public sealed class PlanQueries(NpgsqlDataSource db)
{
    /// <summary>One page of the plans, by id.</summary>
    public async Task<PagedResult<PlanListItem>> List(int p, int size, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM plans", conn))
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        var items = new List<PlanListItem>();
        await using var cmd = new NpgsqlCommand(
            "SELECT id, name, versions, latest_version, latest_valid_from, updated_at FROM plans ORDER BY id LIMIT @limit OFFSET @offset", conn);
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new PlanListItem(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3),
                r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5)));
        return Paging.Of<PlanListItem>(items, p, size, total);
    }

    /// <summary>Plan id → name, for lists that show plans by name (the circuits).</summary>
    public async Task<Dictionary<string, string>> Names(IEnumerable<string?> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var wanted = ids.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0) return names;
        await using var cmd = db.CreateCommand("SELECT id, name FROM plans WHERE id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", wanted);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) names[r.GetString(0)] = r.GetString(1);
        return names;
    }
}
