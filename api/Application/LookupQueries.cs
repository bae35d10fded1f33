using Npgsql;

namespace Billing.Api.Application;

/// <summary>Read-only lookups the admin pages share: the plans for a select, and customer names to show next to ids.</summary>
public sealed class LookupQueries(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<(string Id, string Name)>> PlansAsync(CancellationToken ct)
    {
        var list = new List<(string, string)>();
        await using var cmd = db.CreateCommand("SELECT id, name FROM plans ORDER BY name, id LIMIT 500");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    public async Task<Dictionary<long, string>> CustomerNamesAsync(IEnumerable<long> ids, CancellationToken ct)
    {
        var names = new Dictionary<long, string>();
        await using var cmd = db.CreateCommand("SELECT id, nome FROM customers WHERE id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", ids.Distinct().ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) names[r.GetInt64(0)] = r.GetString(1);
        return names;
    }
}
