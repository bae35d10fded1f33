using Billing.GrainInterfaces.Logins;
using Npgsql;

namespace Billing.Grains.Logins;

/// <summary>The <c>admin_users</c> row of one admin (see <see cref="IAdminUserGrain"/>); nothing kept in memory.</summary>
public sealed class AdminUserGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IAdminUserGrain
{
    private string Username => this.GetPrimaryKeyString()[AdminUserKeys.Prefix.Length..];

    public async Task<bool> Create(string nome, string passwordHash, string actor, bool onlyIfNoAdmin)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // the advisory lock makes "only if no admin exists" hold across users (two first admins at once)
        await using var cmd = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(hashtext('admin_users'));
            INSERT INTO admin_users (username, nome, password_hash, created_by, created_at, updated_at)
            SELECT @u, @n, @h, @by, @now, @now
            WHERE NOT EXISTS (SELECT 1 FROM admin_users WHERE lower(username) = @u)
              AND (NOT @only OR NOT EXISTS (SELECT 1 FROM admin_users))
            """, conn, tx);
        cmd.Parameters.AddWithValue("u", Username);
        cmd.Parameters.AddWithValue("n", nome);
        cmd.Parameters.AddWithValue("h", passwordHash);
        cmd.Parameters.AddWithValue("by", actor);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        cmd.Parameters.AddWithValue("only", onlyIfNoAdmin);
        var inserted = await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
        return inserted > 0;
    }

    public async Task RecordLogin()
    {
        await using var cmd = db.CreateCommand("UPDATE admin_users SET last_login_at = @now WHERE lower(username) = @u");
        cmd.Parameters.AddWithValue("u", Username);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<bool> ChangePasswordHash(string currentHash, string newHash)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE admin_users SET password_hash = @h, updated_at = @now WHERE lower(username) = @u AND password_hash = @old AND NOT disabled");
        cmd.Parameters.AddWithValue("u", Username);
        cmd.Parameters.AddWithValue("old", currentHash);
        cmd.Parameters.AddWithValue("h", newHash);
        cmd.Parameters.AddWithValue("now", clock.GetUtcNow().UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() > 0;
    }
}
