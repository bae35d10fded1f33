using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>A DID in service on a circuit (the <c>dids</c> read model, written by the Did grains).</summary>
public sealed record CircuitDid(string Number, decimal? MonthlyFee, DateTimeOffset? ActiveFrom, bool SigameEnabled, string? SigameDestination,
    bool AcceptsCollect);

/// <summary>Read-only queries of circuits (the <c>circuits</c> and <c>dids</c> read models, written by their grains).</summary>
public sealed class CircuitQueries(NpgsqlDataSource db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<LowBalanceOptions> lowBalance)
{
    /// <summary>
    /// One page of live circuits by name; <paramref name="search"/> matches account, name, IP… (trigram index);
    /// <paramref name="lowBalanceOnly"/>: "saldo baixo", circuits whose balance + credit limit (the list's balance, as of the
    /// circuit's last snapshot) is below their highest low-balance threshold (own, else <see cref="LowBalanceOptions"/>).
    /// </summary>
    public async Task<PagedResult<CircuitListItem>> List(string? search, long? customerId, string? status, int p, int size, CancellationToken ct,
        bool lowBalanceOnly = false)
    {
        var where = "deleted_at IS NULL";
        await using var cmd = db.CreateCommand();
        if (!string.IsNullOrWhiteSpace(search))
        {
            where += " AND search LIKE @search";
            cmd.Parameters.AddWithValue("search", "%" + search.Trim().ToLowerInvariant().Replace("%", "", StringComparison.Ordinal) + "%");
        }
        if (customerId is not null)
        {
            where += " AND customer_id = @customer";
            cmd.Parameters.AddWithValue("customer", customerId.Value);
        }
        if (status is not null)
        {
            where += " AND status = @status";
            cmd.Parameters.AddWithValue("status", status);
        }
        if (lowBalanceOnly)
        {
            where += """
                 AND balance + credit_limit < CASE WHEN low_balance_thresholds IS NULL THEN @lowDefault
                                                   ELSE (SELECT max(t) FROM unnest(low_balance_thresholds) AS t) END
                """;
            var defaults = lowBalance.Value.DefaultThresholds;
            cmd.Parameters.Add(new NpgsqlParameter("lowDefault", NpgsqlTypes.NpgsqlDbType.Numeric)
            {
                Value = defaults.Length == 0 ? DBNull.Value : defaults.Max(),
            });
        }
        // the page walks the (…, name, account) indexes; the count is a separate statement of the same batch
        const string columns = "account, name, customer_id, plan_id, central, balance, ip, status, seen_at, latency_ms, billing_mode, expires_at";
        cmd.CommandText = string.IsNullOrWhiteSpace(search)
            ? $"""
               SELECT {columns} FROM circuits WHERE {where} ORDER BY name, account LIMIT @limit OFFSET @offset;
               SELECT count(*) FROM circuits WHERE {where};
               """
            // a text search matches few rows through the trigram index: collect them once, then sort and count
            : $"""
               WITH m AS MATERIALIZED (SELECT {columns} FROM circuits WHERE {where})
               SELECT {columns} FROM m ORDER BY name, account LIMIT @limit OFFSET @offset;
               """;
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        var items = new List<CircuitListItem>();
        long total = 0;
        var now = clock.GetUtcNow();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                DateTimeOffset? seen = r.IsDBNull(8) ? null : new DateTimeOffset(r.GetDateTime(8), TimeSpan.Zero);
                int? latency = r.IsDBNull(9) ? null : r.GetInt32(9);
                DateTimeOffset? expires = r.IsDBNull(11) ? null : new DateTimeOffset(r.GetDateTime(11), TimeSpan.Zero);
                items.Add(new CircuitListItem(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.GetDecimal(5), r.IsDBNull(6) ? null : r.GetString(6),
                    r.GetString(7) == "ativo" ? CircuitStatus.Ativo : CircuitStatus.Bloqueado,
                    CircuitKeys.RegistrationStatus(seen, latency, now, TimeSpan.FromSeconds(180), expires),
                    r.GetString(10) == "prepaid" ? BillingMode.Prepaid : BillingMode.Postpaid));
            }
            if (await r.NextResultAsync(ct) && await r.ReadAsync(ct)) total = r.GetInt64(0);
        }
        if (!string.IsNullOrWhiteSpace(search))
        {
            await using var count = db.CreateCommand($"SELECT count(*) FROM circuits WHERE {where}");
            foreach (NpgsqlParameter prm in cmd.Parameters)
                if (prm.ParameterName is not ("limit" or "offset")) count.Parameters.AddWithValue(prm.ParameterName, prm.Value!);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        return Paging.Of(items, p, size, total);
    }

    /// <summary>Every live circuit of a customer (account, name), by name: the customer panel lists them all.</summary>
    public async Task<IReadOnlyList<(string Account, string Name)>> OfCustomer(long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT account, name FROM circuits WHERE customer_id = @c AND deleted_at IS NULL ORDER BY name, account LIMIT 1000");
        cmd.Parameters.AddWithValue("c", customerId);
        var list = new List<(string, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    /// <summary>Which of <paramref name="accounts"/> are taken (live or deleted: a deleted circuit's number is never reused).</summary>
    public async Task<IReadOnlyList<string>> Taken(IReadOnlyList<string> accounts, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT account FROM circuits WHERE account = ANY(@a)");
        cmd.Parameters.AddWithValue("a", accounts.ToArray());
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>The DIDs in service on the circuit now, by number.</summary>
    public async Task<IReadOnlyList<CircuitDid>> Dids(string account, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT number, monthly_fee, active_from, sigame_enabled, sigame_destination, accepts_collect
            FROM dids WHERE account = @a ORDER BY number LIMIT 1000
            """);
        cmd.Parameters.AddWithValue("a", account);
        var list = new List<CircuitDid>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new CircuitDid(r.GetString(0), r.IsDBNull(1) ? null : r.GetDecimal(1),
                r.IsDBNull(2) ? null : new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.GetBoolean(5)));
        return list;
    }
}
