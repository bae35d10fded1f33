using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Silo.Hosting;

/// <summary>
/// Applies the versioned SQL files of <c>deploy/sql/</c> (embedded in this assembly) in name order.
/// Runs under a PostgreSQL advisory lock so that silos starting together apply each file once;
/// every applied file is recorded with its checksum in <c>schema_migrations</c>.
/// </summary>
public static class Migrator
{
    private const long LockKey = 0x42494C4C494E47; // "BILLING"

    public static IReadOnlyList<(string Version, string Sql)> Scripts()
    {
        var asm = typeof(Migrator).Assembly;
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => (Path.GetFileNameWithoutExtension(n["sql/".Length..]), Read(asm, n)))
            .ToList();
    }

    private static string Read(Assembly asm, string name)
    {
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Applies every pending migration; returns the versions applied by this call.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger? logger = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", conn))
        {
            lockCmd.Parameters.AddWithValue("k", LockKey);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        var applied = new List<string>();
        try
        {
            await using (var create = new NpgsqlCommand(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    text PRIMARY KEY,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, conn))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            var done = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", conn))
            await using (var r = await read.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct)) done[r.GetString(0)] = r.GetString(1);
            }

            foreach (var (version, sql) in Scripts())
            {
                var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
                if (done.TryGetValue(version, out var known))
                {
                    if (!string.Equals(known, checksum, StringComparison.Ordinal))
                        logger?.LogWarning("Migração {Version} já aplicada mudou depois de aplicada (checksum diferente); não é reaplicada.", version);
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, conn, tx))
                {
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await using (var ins = new NpgsqlCommand("INSERT INTO schema_migrations(version, checksum) VALUES (@v, @c)", conn, tx))
                {
                    ins.Parameters.AddWithValue("v", version);
                    ins.Parameters.AddWithValue("c", checksum);
                    await ins.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                applied.Add(version);
                logger?.LogInformation("Migração {Version} aplicada.", version);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", conn);
            unlock.Parameters.AddWithValue("k", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return applied;
    }
}
