using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using System.Text.Json;
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

    /// <summary>Plan id → its latest version's tariff windows (the read model's summary), for the plan list.</summary>
    public async Task<Dictionary<string, IReadOnlyList<PlanWindowSummary>>> Windows(IEnumerable<string> ids, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var result = new Dictionary<string, IReadOnlyList<PlanWindowSummary>>(StringComparer.Ordinal);
        var wanted = ids.Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Length == 0) return result;
        await using var cmd = db.CreateCommand("SELECT id, windows::text FROM plans WHERE id = ANY(@ids) AND jsonb_array_length(windows) > 0");
        cmd.Parameters.AddWithValue("ids", wanted);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            result[r.GetString(0)] = JsonSerializer.Deserialize<List<PlanWindowSummary>>(r.GetString(1), Json) ?? [];
        return result;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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

/// <summary>A window of a plan's latest version as the plan list shows it: call type, days, "HH:mm" from/to, its slots' prices per minute, connect fee.</summary>
public sealed record PlanWindowSummary(string Type, string[] Days, string From, string To, decimal[] Prices, decimal ConnectFee);
