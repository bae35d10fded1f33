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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WhenTheDatabaseRefusesRowsOfABatch_ThenOnlyThoseRowsFail(bool copy)
    {
        var cs = await TestDatabase.CreateAsync("billing_ledger_refused");
        try
        {
            await using var db = NpgsqlDataSource.Create(cs);
            await using var ledger = new PostgresLedger(db, NullLogger<PostgresLedger>.Instance, new LedgerMetrics(),
                Options.Create(new LedgerOptions { Writers = 1, Copy = copy }));

            // 200 good rows with 3 the database refuses in the same burst: a NUL in a text column, an amount
            // numeric(14,2) cannot hold, and a call id too large for its unique index
            var good = Enumerable.Range(1, 200).Select(i => Call("g", i, $"g-{i}")).ToList();
            var bad = new[]
            {
                Call("b", 1, "b-nul") with { HangupCause = "normal\0" },
                Call("b", 2, "b-big") with { Amount = -1_000_000_000_000m, BalanceAfter = -1_000_000_000_000m },
                Call("b", 3, string.Concat(Enumerable.Range(0, 320).Select(_ => Guid.NewGuid().ToString("N")))),
            };
            var all = good.Take(100).Concat(bad).Concat(good.Skip(100)).ToList();
            var outcomes = await Task.WhenAll(all.Select(ledger.AppendAsync));
            for (var i = 0; i < all.Count; i++)
                Assert.Equal(all[i].Account == "b" ? AppendOutcome.Refused : AppendOutcome.Written, outcomes[i]);

            await using var cmd = db.CreateCommand("SELECT count(*) FILTER (WHERE account = 'g'), count(*) FILTER (WHERE account = 'b') FROM ledger");
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(200L, r.GetInt64(0));
            Assert.Equal(0L, r.GetInt64(1));
            await r.DisposeAsync();

            // the writer goes on: the refused seqs are free and a clean retry is written
            Assert.Equal(AppendOutcome.Written, await ledger.AppendAsync(Call("b", 4, "b-nul")));
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WhenHoldsAreAppended_ThenTheLatestOpenUnsettledVersionIsReadBack_AndExpiredOnesArePurged(bool synchronousCommit)
    {
        var cs = await TestDatabase.CreateAsync("billing_ledger_holds");
        try
        {
            await using var db = NpgsqlDataSource.Create(cs);
            await using var ledger = new PostgresLedger(db, NullLogger<PostgresLedger>.Instance, new LedgerMetrics(),
                Options.Create(new LedgerOptions { Writers = 1, HoldWriters = 2, HoldsSynchronousCommit = synchronousCommit }));
            var now = new DateTimeOffset(2026, 11, 20, 13, 0, 0, TimeSpan.Zero);
            CallHold Hold(string id, decimal amount, DateTimeOffset expires, int granted = 300) => new()
            {
                Account = "h", CallId = id, Amount = amount, GrantedSeconds = granted, ExpiresAt = expires, Data = "{\"x\":1}", UpdatedAt = now,
            };

            var written = await Task.WhenAll(
                ledger.HoldAsync(Hold("open", 0.50m, now.AddMinutes(5))),
                ledger.HoldAsync(Hold("settled", 0.30m, now.AddMinutes(5))),
                ledger.HoldAsync(Hold("expired", 0.20m, now.AddSeconds(-1))),
                ledger.HoldAsync(Hold("bad\0", 0.10m, now.AddMinutes(5))));
            Assert.Equal([AppendOutcome.Written, AppendOutcome.Written, AppendOutcome.Written, AppendOutcome.Refused], written);
            // an extend appends a larger version (same instant: the larger grant wins)
            Assert.Equal(AppendOutcome.Written, await ledger.HoldAsync(Hold("open", 0.90m, now.AddMinutes(10), granted: 600)));
            Assert.Equal(AppendOutcome.Written, await ledger.AppendAsync(Call("h", 1, "settled")));

            var hold = Assert.Single(await ledger.ReadHoldsAsync("h", now));
            Assert.Equal(("open", 0.90m, 600, "{\"x\":1}"), (hold.CallId, hold.Amount, hold.GrantedSeconds, hold.Data));
            Assert.Equal("h", await ledger.FindHoldAccountAsync("open", now));
            Assert.Null(await ledger.FindHoldAccountAsync("expired", now));

            // the purge deletes expired versions only
            Assert.Equal(1, await ledger.PurgeHoldsAsync(now));
            Assert.Equal(3, await ledger.PurgeHoldsAsync(now.AddMinutes(11)));
            Assert.Empty(await ledger.ReadHoldsAsync("h", now));
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
