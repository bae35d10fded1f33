using Billing.Silo.Hosting;
using Billing.Tests.Infrastructure;
using Npgsql;

namespace Billing.Tests.Foundation;

public sealed class MigrationTests
{
    private static async Task<string> SchemaFingerprint(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT (SELECT string_agg(table_name || ':' || column_name || ':' || data_type, ',' ORDER BY table_name, column_name)
                      FROM information_schema.columns WHERE table_schema = 'public')
                || '|' || (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')
                || '|' || (SELECT count(*) FROM orleansquery)
                || '|' || (SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations)
            """, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenMigrationsRunTwice_ThenTheSecondRunChangesNothing()
    {
        var cs = await TestDatabase.CreateAsync("billing_mig", migrate: false);
        try
        {
            var first = await Migrator.ApplyAsync(cs);
            Assert.Equal(Migrator.Scripts().Count, first.Count);
            var before = await SchemaFingerprint(cs);
            var second = await Migrator.ApplyAsync(cs);
            Assert.Empty(second);
            Assert.Equal(before, await SchemaFingerprint(cs));
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }

    [Fact]
    public async Task WhenTwoSilosMigrateAtOnce_ThenEachScriptIsAppliedOnce()
    {
        var cs = await TestDatabase.CreateAsync("billing_mig2", migrate: false);
        try
        {
            var runs = await Task.WhenAll(Migrator.ApplyAsync(cs), Migrator.ApplyAsync(cs), Migrator.ApplyAsync(cs));
            Assert.Equal(Migrator.Scripts().Count, runs.Sum(r => r.Count));
            Assert.Equal(
                Migrator.Scripts().Select(s => s.Version).Order(StringComparer.Ordinal),
                runs.SelectMany(r => r).Order(StringComparer.Ordinal));
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
