using System.Globalization;
using Npgsql;

namespace Billing.Api.Web;

/// <summary>Small read-model lookups for selects (plans) and for showing names next to ids (customers).</summary>
public static class AdminLookups
{
    public static async Task<IReadOnlyList<(string Id, string Name)>> PlansAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var list = new List<(string, string)>();
        await using var cmd = db.CreateCommand("SELECT id, name FROM plans ORDER BY name, id LIMIT 500");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    public static async Task<Dictionary<long, string>> CustomerNamesAsync(NpgsqlDataSource db, IEnumerable<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var names = new Dictionary<long, string>();
        await using var cmd = db.CreateCommand("SELECT id, nome FROM customers WHERE id = ANY(@ids)");
        cmd.Parameters.AddWithValue("ids", ids.Distinct().ToArray());
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) names[r.GetInt64(0)] = r.GetString(1);
        return names;
    }

    /// <summary>"1.234,56" (pt-BR, with a comma) or "1234.56"; null when empty; false when not a number.</summary>
    public static bool TryMoney(string? text, out decimal? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var t = text.Trim().Replace("R$", "", StringComparison.Ordinal).Trim();
        var culture = t.Contains(',', StringComparison.Ordinal) ? CultureInfo.GetCultureInfo("pt-BR") : CultureInfo.InvariantCulture;
        if (!decimal.TryParse(t, NumberStyles.Number, culture, out var d)) return false;
        value = d;
        return true;
    }
}
