using Billing.Grains.Ledger;
using Billing.Silo.Ledger;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Tests.Calls;

/// <summary>
/// The group-commit writer on its own: the COPY fast path and the INSERT … ON CONFLICT path must give the same
/// outcomes — every new row Written, a repeated call id Duplicate, a taken (account, seq) SeqConflict — and write
/// each row exactly once, also when one batch mixes new rows with refused ones.
/// </summary>
public sealed class LedgerWriterTests
{
    private static LedgerEntry Call(string account, long seq, string callId, decimal amount = -0.10m) => new()
    {
        Account = account, Seq = seq, Kind = LedgerKind.Call, Amount = amount, BalanceAfter = 100m + amount * seq,
        CallId = callId, Direction = "outbound", Destination = "1133334444", Normalized = "551133334444", CallType = "local_fixo",
        StartedAt = new DateTimeOffset(2026, 11, 20, 13, 0, 0, TimeSpan.Zero), DurationSeconds = 60, BilledSeconds = 60,
        PricePerMinute = 0.1m, Period = "2026-11", CreatedAt = new DateTimeOffset(2026, 11, 20, 13, 1, 0, TimeSpan.Zero),
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BatchesMixingNewAndRefusedRows_WriteEachNewRowOnce(bool copy)
    {
        var cs = await TestDatabase.CreateAsync("billing_ledger");
        try
        {
            await using var db = NpgsqlDataSource.Create(cs);
            await using var ledger = new PostgresLedger(db, NullLogger<PostgresLedger>.Instance, new LedgerMetrics(),
                Options.Create(new LedgerOptions { Writers = 2, Copy = copy }));

            // 300 new rows over 3 circuits, all at once (several batches, several writers)
            var first = await Task.WhenAll(Enumerable.Range(1, 100).SelectMany(i => new[] { "a", "b", "c" }
                .Select(acc => ledger.AppendAsync(Call(acc, i, $"{acc}-{i}")))));
            Assert.All(first, o => Assert.Equal(AppendOutcome.Written, o));

            // then new rows mixed with a repeated call id and a taken seq, in the same burst
            var mixed = await Task.WhenAll(
                ledger.AppendAsync(Call("a", 101, "a-101")),
                ledger.AppendAsync(Call("a", 102, "a-5")),          // call id already written
                ledger.AppendAsync(Call("b", 50, "b-other")),       // (b, 50) already taken
                ledger.AppendAsync(Call("c", 101, "c-101")),
                ledger.AppendAsync(new LedgerEntry
                {
                    Account = "c", Seq = 102, Kind = LedgerKind.Credit, Amount = 5m, BalanceAfter = 95m,
                    IdempotencyKey = "top-up-1", Description = "recarga", CreatedAt = DateTimeOffset.UnixEpoch,
                }));
            Assert.Equal(
                [AppendOutcome.Written, AppendOutcome.Duplicate, AppendOutcome.SeqConflict, AppendOutcome.Written, AppendOutcome.Written],
                mixed);

            // the same credit key again is a duplicate, whatever its seq
            Assert.Equal(AppendOutcome.Duplicate, await ledger.AppendAsync(new LedgerEntry
            {
                Account = "c", Seq = 103, Kind = LedgerKind.Credit, Amount = 5m, BalanceAfter = 100m,
                IdempotencyKey = "top-up-1", CreatedAt = DateTimeOffset.UnixEpoch,
            }));

            await using var cmd = db.CreateCommand(
                "SELECT count(*), count(DISTINCT call_id), coalesce(sum(amount), 0), count(*) FILTER (WHERE kind = 'credit') FROM ledger");
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(303L, r.GetInt64(0));
            Assert.Equal(302L, r.GetInt64(1));
            Assert.Equal(302 * -0.10m + 5m, r.GetDecimal(2));
            Assert.Equal(1L, r.GetInt64(3));

            // every column of a row read back as written (the COPY writes them by position)
            var back = await ledger.FindCallAsync("a-101");
            Assert.NotNull(back);
            Assert.Equal(Call("a", 101, "a-101") with { Source = back.Source }, back with { });
            Assert.Equal("api", back.Source);
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
