using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>One credit (top-up or adjustment) of a circuit's ledger.</summary>
public sealed record CreditHistoryItem(DateTimeOffset At, decimal Amount, decimal BalanceAfter, string? Description, string? Actor,
    string? IdempotencyKey);

/// <summary>Filters of a circuit's call list: start range (UTC instants), direction, digits of the number dialled or calling.</summary>
public sealed record CallFilter(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Direction = null, string? Number = null);

/// <summary>Read-only queries of a circuit's ledger (written only by its Circuit grain): its calls and its credits.</summary>
public sealed class CircuitCallQueries(NpgsqlDataSource db)
{
    /// <summary>Most rows one CSV export carries.</summary>
    public const int MaxExport = 100_000;

    /// <summary>The circuit's calls, newest first, one page.</summary>
    public async Task<PagedResult<CallHistoryItem>> Calls(string account, CallFilter filter, int p, int size, CancellationToken ct)
    {
        var items = new List<CallHistoryItem>();
        var total = await ReadCalls(account, filter, size, (long)(p - 1) * size, items.Add, ct);
        return Paging.Of(items, p, size, total);
    }

    /// <summary>Every call under the filter (at most <see cref="MaxExport"/>), newest first, for the CSV export.</summary>
    public async Task<IReadOnlyList<CallHistoryItem>> AllCalls(string account, CallFilter filter, CancellationToken ct)
    {
        var items = new List<CallHistoryItem>();
        await ReadCalls(account, filter, MaxExport, 0, items.Add, ct);
        return items;
    }

    private async Task<long> ReadCalls(string account, CallFilter filter, int limit, long offset, Action<CallHistoryItem> add,
        CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT call_id, direction, destination, normalized, call_type, started_at, duration_seconds, billed_seconds,
                   -amount, price_per_minute, hangup_cause, caller, count(*) OVER ()
            FROM ledger
            WHERE account = @a AND kind = 'call'
              AND (@from::timestamptz IS NULL OR started_at >= @from)
              AND (@to::timestamptz IS NULL OR started_at < @to)
              AND (@dir::text IS NULL OR direction = @dir)
              AND (@q::text IS NULL OR destination LIKE @q OR normalized LIKE @q OR caller LIKE @q)
            ORDER BY started_at DESC, id DESC
            LIMIT @limit OFFSET @offset
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)filter.From?.UtcDateTime ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)filter.To?.UtcDateTime ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("dir", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter.Direction ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("q", NpgsqlTypes.NpgsqlDbType.Text)
        {
            Value = string.IsNullOrEmpty(filter.Number) ? DBNull.Value : "%" + CustomerQueries.EscapeLike(filter.Number) + "%",
        });
        cmd.Parameters.AddWithValue("limit", limit);
        cmd.Parameters.AddWithValue("offset", offset);
        long total = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            add(new CallHistoryItem(r.GetString(0), S(1), S(2), S(3), S(4),
                r.IsDBNull(5) ? null : new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero),
                r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.GetDecimal(8),
                r.IsDBNull(9) ? null : r.GetDecimal(9), S(10), S(11)));
            total = r.GetInt64(12);
        }
        return total;
    }

    /// <summary>The circuit's credits (top-ups and adjustments), newest first.</summary>
    public async Task<PagedResult<CreditHistoryItem>> Credits(string account, int p, int size, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT created_at, amount, balance_after, description, actor, idempotency_key, count(*) OVER ()
            FROM ledger WHERE account = @a AND kind = 'credit'
            ORDER BY seq DESC LIMIT @limit OFFSET @offset
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<CreditHistoryItem>();
        long total = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            items.Add(new CreditHistoryItem(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetDecimal(1), r.GetDecimal(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)));
            total = r.GetInt64(6);
        }
        return Paging.Of(items, p, size, total);
    }
}
