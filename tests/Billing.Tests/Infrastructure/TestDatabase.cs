using System.Globalization;
using Billing.Silo.Hosting;
using Npgsql;

namespace Billing.Tests.Infrastructure;

/// <summary>A fresh PostgreSQL database per test run on the server deploy/test.sh started (BILLING_TEST_DB).</summary>
public static class TestDatabase
{
    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("BILLING_TEST_DB")
        ?? throw new InvalidOperationException(
            "BILLING_TEST_DB não definida: rode os testes com ./deploy/test.sh (ele sobe um PostgreSQL descartável).");

    public static async Task<string> CreateAsync(string prefix, bool migrate = true)
    {
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{prefix}_{DateTime.UtcNow:HHmmss}_{Guid.NewGuid().ToString("N")[..8]}");
        await using (var conn = new NpgsqlConnection(ServerConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
        if (migrate) await Migrator.ApplyAsync(cs);
        return cs;
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(ServerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
