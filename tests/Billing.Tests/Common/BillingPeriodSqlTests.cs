using Billing.GrainInterfaces.Common;
using Billing.Tests.Infrastructure;
using Npgsql;

namespace Billing.Tests.Common;

/// <summary>The SQL twin of <see cref="BillingPeriod"/> (billing_period of deploy/sql) on the real PostgreSQL.</summary>
public sealed class BillingPeriodSqlTests(BillingPeriodSqlTests.Database db) : IClassFixture<BillingPeriodSqlTests.Database>
{
    /// <summary>One migrated database for the class.</summary>
    public sealed class Database : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public async Task InitializeAsync() => ConnectionString = await TestDatabase.CreateAsync("billing_period");

        public async Task DisposeAsync() => await TestDatabase.DropAsync(ConnectionString);
    }

    private readonly string _cs = db.ConnectionString;

    [Fact]
    public async Task WhenAskingBothForTheBounds_ThenSqlAndCSharpAgreeForEveryMonthAndClosingDay()
    {
        // 2015..2030: the last years with daylight saving time (a skipped midnight on 2018-11-04, 2017-10-15, 2016-10-16,
        // 2015-10-18; a repeated hour before 2016-02-21 00:00) and the DST-free years since 2019.
        var periods = new List<BillingPeriod>();
        for (var p = new BillingPeriod(2015, 1); p <= new BillingPeriod(2030, 12); p = p.Next) periods.Add(p);
        int[] days = [-3, 0, 1, 4, 5, 15, 16, 18, 20, 21, 28, 29, 31];
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT k, d, b.period_start, b.period_end
            FROM unnest(@keys::text[]) AS k CROSS JOIN unnest(@days::int[]) AS d CROSS JOIN LATERAL billing_period(k, d) AS b
            """, conn);
        cmd.Parameters.AddWithValue("keys", periods.Select(p => p.Key).ToArray());
        cmd.Parameters.AddWithValue("days", days);
        var seen = 0;
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync())
            {
                var p = BillingPeriod.Parse(r.GetString(0));
                var day = r.GetInt32(1);
                var start = r.GetFieldValue<DateTimeOffset>(2);
                var end = r.GetFieldValue<DateTimeOffset>(3);
                Assert.True(p.Start(day) == start, $"{p.Key} dia {day}: SQL {start:o}, C# {p.Start(day):o}");
                Assert.True(p.End(day) == end, $"{p.Key} dia {day}: SQL {end:o}, C# {p.End(day):o}");
                seen++;
            }
        Assert.Equal(periods.Count * days.Length, seen);
    }

    [Fact]
    public async Task WhenTheDefaultClosingDayIsUsed_ThenItIsTheCalendarMonthInSaoPaulo()
    {
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT period_start, period_end FROM billing_period('2026-02')", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(DateTimeOffset.Parse("2026-02-01T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture), r.GetFieldValue<DateTimeOffset>(0));
        Assert.Equal(DateTimeOffset.Parse("2026-03-01T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture), r.GetFieldValue<DateTimeOffset>(1));
        Assert.False(await r.ReadAsync());
    }

    [Theory]
    [InlineData("10/2026")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("2026-1")]
    [InlineData("1999-12")]
    [InlineData("2026-10-01")]
    [InlineData("")]
    public async Task WhenTheReferenceIsNoKey_ThenTheFunctionRaisesInsteadOfMatchingNothing(string reference)
    {
        Assert.False(reference.Length == 7 && BillingPeriod.TryParse(reference, out var p) && p.Key == reference);
        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT * FROM billing_period(@r)", conn);
        cmd.Parameters.AddWithValue("r", reference);
        var e = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteScalarAsync());
        Assert.Equal("22007", e.SqlState);
    }
}
