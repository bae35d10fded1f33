using Billing.GrainInterfaces.Circuits;
using Npgsql;

namespace Billing.Grains.Circuits;

/// <summary>The circuits read model (table <c>circuits</c>) and the lookups a circuit needs from PostgreSQL.</summary>
public sealed class CircuitStore(NpgsqlDataSource db)
{
    public NpgsqlDataSource Db => db;

    public static string SearchText(string account, CircuitData d) =>
        string.Join(' ', account, d.Name, d.Central ?? "", d.PlanId ?? "").ToLowerInvariant();

    public static async Task UpsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string account, CircuitData d,
        decimal balance, DateTimeOffset createdAt, DateTimeOffset now)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO circuits (account, name, customer_id, plan_id, area_code, central, billing_mode, credit_limit,
                                  status, balance, created_at, updated_at, search, time_zone, low_balance_thresholds)
            VALUES (@account, @name, @customer, @plan, @area, @central, @mode, @limit, @status, @balance, @created, @now, @search, @tz, @low)
            ON CONFLICT (account) DO UPDATE SET
                name = EXCLUDED.name, customer_id = EXCLUDED.customer_id, plan_id = EXCLUDED.plan_id,
                area_code = EXCLUDED.area_code, central = EXCLUDED.central, billing_mode = EXCLUDED.billing_mode,
                credit_limit = EXCLUDED.credit_limit, status = EXCLUDED.status, balance = EXCLUDED.balance,
                updated_at = EXCLUDED.updated_at, search = EXCLUDED.search, time_zone = EXCLUDED.time_zone,
                low_balance_thresholds = EXCLUDED.low_balance_thresholds
            """, conn, tx);
        cmd.Parameters.AddWithValue("account", account);
        cmd.Parameters.AddWithValue("name", d.Name);
        cmd.Parameters.AddWithValue("customer", d.CustomerId);
        cmd.Parameters.AddWithValue("plan", (object?)d.PlanId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("area", d.AreaCode);
        cmd.Parameters.AddWithValue("central", (object?)d.Central ?? DBNull.Value);
        cmd.Parameters.AddWithValue("mode", d.BillingMode == BillingMode.Prepaid ? "prepaid" : "postpaid");
        cmd.Parameters.AddWithValue("limit", d.CreditLimit);
        cmd.Parameters.AddWithValue("status", d.Status == CircuitStatus.Ativo ? "ativo" : "bloqueado");
        cmd.Parameters.AddWithValue("balance", balance);
        cmd.Parameters.AddWithValue("created", createdAt.UtcDateTime);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        cmd.Parameters.AddWithValue("search", SearchText(account, d));
        cmd.Parameters.AddWithValue("tz", d.TimeZone);
        cmd.Parameters.Add(new NpgsqlParameter("low", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Numeric)
        {
            Value = d.LowBalanceThresholds is { IsDefault: false } low ? low.ToArray() : DBNull.Value,
        });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Share-locks the customer row inside <paramref name="tx"/>; false when it does not exist or is deleted.</summary>
    public static async Task<bool> LockCustomerAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long customerId)
    {
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM customers WHERE id = @id AND deleted_at IS NULL FOR SHARE", conn, tx);
        cmd.Parameters.AddWithValue("id", customerId);
        return await cmd.ExecuteScalarAsync() is not null;
    }

    public async Task<bool> AccountTakenAsync(string account)
    {
        await using var cmd = db.CreateCommand("SELECT 1 FROM circuits WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private async Task<bool> TableExistsAsync(string table)
    {
        await using var cmd = db.CreateCommand("SELECT to_regclass(@t) IS NOT NULL");
        cmd.Parameters.AddWithValue("t", "public." + table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<bool> CustomerExistsAsync(long customerId)
    {
        if (customerId <= 0) return false;
        await using var cmd = db.CreateCommand("SELECT 1 FROM customers WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", customerId);
        return await cmd.ExecuteScalarAsync() is not null;
    }

    /// <summary>Invoices of the circuit not yet FECHADO/ANULADO (0 until the invoices read model exists).</summary>
    public async Task<int> OpenInvoicesAsync(string account)
    {
        if (!await TableExistsAsync("invoices")) return 0;
        await using var cmd = db.CreateCommand("SELECT count(*) FROM invoices WHERE account = @a AND status NOT IN ('FECHADO', 'ANULADO')");
        cmd.Parameters.AddWithValue("a", account);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task UpdateBalanceAsync(string account, decimal balance, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand("UPDATE circuits SET balance = @b, updated_at = @now WHERE account = @a AND balance <> @b");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("b", balance);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task SetSipHa1Async(NpgsqlConnection conn, NpgsqlTransaction tx, string account, string ha1, string realm,
        DateTimeOffset now)
    {
        await using var cmd = new NpgsqlCommand(
            "UPDATE circuits SET sip_ha1 = @h, sip_realm = @r, updated_at = @now WHERE account = @a", conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("h", ha1);
        cmd.Parameters.AddWithValue("r", realm);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task UpdateRegistrationAsync(string account, string? ip, int? port, string? transport, string? userAgent,
        int? latencyMs, DateTimeOffset? registeredAt, DateTimeOffset? expiresAt, DateTimeOffset? seenAt)
    {
        await using var cmd = db.CreateCommand(
            """
            UPDATE circuits SET ip = @ip, port = @port, transport = @tr, user_agent = @ua, latency_ms = @l, registered_at = @at,
                                expires_at = @exp, seen_at = @seen
            WHERE account = @a
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("ip", (object?)ip ?? DBNull.Value);
        cmd.Parameters.AddWithValue("port", (object?)port ?? DBNull.Value);
        cmd.Parameters.AddWithValue("tr", (object?)transport ?? DBNull.Value);
        cmd.Parameters.AddWithValue("ua", (object?)userAgent ?? DBNull.Value);
        cmd.Parameters.AddWithValue("l", (object?)latencyMs ?? DBNull.Value);
        cmd.Parameters.AddWithValue("at", (object?)registeredAt?.UtcDateTime ?? DBNull.Value);
        cmd.Parameters.AddWithValue("exp", (object?)expiresAt?.UtcDateTime ?? DBNull.Value);
        cmd.Parameters.AddWithValue("seen", (object?)seenAt?.UtcDateTime ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task UpdateSeenAsync(string account, int latencyMs, DateTimeOffset seenAt)
    {
        await using var cmd = db.CreateCommand("UPDATE circuits SET latency_ms = @l, seen_at = @seen WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("l", latencyMs);
        cmd.Parameters.AddWithValue("seen", seenAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }
}
