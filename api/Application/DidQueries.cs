using System.Text;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>One assignment period of a DID (its history): who assigned it, and who released it when it ended.</summary>
public sealed record DidAssignmentRow(
    long? ResellerId, string Account, decimal MonthlyFee, DateTimeOffset ActiveFrom, DateTimeOffset? ActiveTo, string AssignedBy, string? ReleasedBy);

/// <summary>Read-only queries of the DID inventory (<c>dids</c>, <c>did_assignments</c>; written by the DID grains).</summary>
public sealed class DidQueries(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>
    /// One page of DIDs by number: <paramref name="search"/>'s digits anywhere in the number, a reseller, an owner circuit, and
    /// (admin list) only assigned (true) or only free (false) numbers.
    /// </summary>
    public async Task<PagedResult<DidListItem>> List(string? search, long? resellerId, string? account, int p, int size, CancellationToken ct,
        bool? assigned = null)
    {
        var digits = new string((search ?? "").Where(char.IsAsciiDigit).ToArray());
        var where = new StringBuilder("true");
        if (digits.Length > 0) where.Append(" AND d.number LIKE @q");
        if (resellerId is not null) where.Append(" AND d.reseller_id = @r");
        if (account is not null) where.Append(" AND d.account = @a");
        if (assigned is { } only) where.Append(only ? " AND d.account IS NOT NULL" : " AND d.account IS NULL");
        void Bind(NpgsqlCommand cmd)
        {
            if (digits.Length > 0) cmd.Parameters.AddWithValue("q", "%" + digits + "%");
            if (resellerId is not null) cmd.Parameters.AddWithValue("r", resellerId.Value);
            if (account is not null) cmd.Parameters.AddWithValue("a", account);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM dids d WHERE {where}", conn))
        {
            Bind(count);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var now = clock.GetUtcNow();
        var items = new List<DidListItem>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT d.number, d.reseller_id, r.nome, d.account, d.active_from, d.active_to, d.monthly_fee,
                   d.sigame_enabled, d.sigame_destination, d.accepts_collect
            FROM dids d LEFT JOIN resellers r ON r.id = d.reseller_id
            WHERE {where} ORDER BY d.number LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
                var acc = r.IsDBNull(3) ? null : r.GetString(3);
                var from = T(4);
                var to = T(5);
                items.Add(new DidListItem(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2),
                    acc, from, to, r.IsDBNull(6) ? null : r.GetDecimal(6),
                    acc is not null && from <= now && (to is null || to > now),
                    r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetBoolean(9)));
            }
        }
        return Paging.Of(items, p, size, total);
    }

    /// <summary>Every assignment of the DID (E.164), oldest first.</summary>
    public async Task<IReadOnlyList<DidAssignmentRow>> History(string e164, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT reseller_id, account, monthly_fee, active_from, active_to, assigned_by, released_by
            FROM did_assignments WHERE number = @n ORDER BY active_from, id
            """);
        cmd.Parameters.AddWithValue("n", e164);
        var list = new List<DidAssignmentRow>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new DidAssignmentRow(r.IsDBNull(0) ? null : r.GetInt64(0), r.GetString(1), r.GetDecimal(2),
                r.GetFieldValue<DateTimeOffset>(3), r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6)));
        return list;
    }
}
