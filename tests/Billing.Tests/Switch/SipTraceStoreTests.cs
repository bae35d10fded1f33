using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Switch;

/// <summary>A circuit's trace grain against the real PostgreSQL: batches, pruning to the bounds, on/off, the REST API.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SipTraceStoreTests(ClusterFixture cluster)
{
    private static SipTraceMessage M(DateTimeOffset at, string text, string direction = "in") =>
        new(at, direction, "udp:127.0.0.1:5062", "udp:127.0.0.1:5060", text);

    private async Task<List<(DateTimeOffset At, string Message)>> Stored(string account)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT at, message FROM sip_traces WHERE account = @a ORDER BY at DESC, id DESC");
        cmd.Parameters.AddWithValue("a", account);
        var rows = new List<(DateTimeOffset, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add((new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetString(1)));
        return rows;
    }

    private async Task InsertOld(string account, int count, TimeSpan age)
    {
        await using var cmd = cluster.Db.CreateCommand(
            """
            INSERT INTO sip_traces (account, at, direction, src, dst, message)
            SELECT @a, now() - @age, 'in', 'udp:127.0.0.1:1', 'udp:127.0.0.1:2', 'velha ' || g FROM generate_series(1, @n) g
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("age", age);
        cmd.Parameters.AddWithValue("n", count);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task WhenBatchesExceedFiveHundredMessages_ThenTheNewestFiveHundredStayAndOlderThanADayAreGone()
    {
        var account = Seed.NewAccount();
        var trace = cluster.Grains.SipTrace(account);
        await trace.SetEnabled(true, "teste");
        await InsertOld(account, 3, TimeSpan.FromHours(25));
        var now = DateTimeOffset.UtcNow;
        // 520 messages in 4 batches, oldest first
        for (var b = 0; b < 4; b++)
            await trace.Append([.. Enumerable.Range(b * 130, 130).Select(i => M(now.AddSeconds(-600 + i), "m" + i))]);

        var rows = await Stored(account);
        Assert.Equal(SipTraceBounds.MaxMessages, rows.Count);
        Assert.Equal("m519", rows[0].Message);
        Assert.Equal("m20", rows[^1].Message);
        Assert.DoesNotContain(rows, r => r.Message.StartsWith("velha", StringComparison.Ordinal));
        // the SQL keeps what the pure rule keeps
        var expected = SipTraceBounds.Keep(Enumerable.Range(0, 520).Select(i => M(now.AddSeconds(-600 + i), "m" + i)), now);
        Assert.Equal(expected.Select(m => m.Message), rows.Select(r => r.Message));
        await trace.SetEnabled(false, "teste"); // no connector of other tests is told to trace it any more
    }

    [Fact]
    public async Task WhenACircuitStopsWriting_ThenPruneRemovesItsMessagesOlderThanADayOnly()
    {
        var account = Seed.NewAccount();
        await InsertOld(account, 4, TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await InsertOld(account, 2, TimeSpan.FromHours(23));

        await cluster.Grains.SipTrace(account).Prune();

        Assert.Equal(2, (await Stored(account)).Count);
    }

    [Fact]
    public async Task WhenTracingIsOff_ThenAppendedMessagesAreDropped_AndTheDirectoryFollowsEachChange()
    {
        var account = Seed.NewAccount();
        var trace = cluster.Grains.SipTrace(account);
        var directory = cluster.Grains.SipTraceDirectory();
        await trace.Append([M(DateTimeOffset.UtcNow, "antes de ligar")]);
        Assert.Empty(await Stored(account));

        var on = await trace.SetEnabled(true, "admin.teste");
        Assert.True(on.Enabled);
        Assert.Equal("admin.teste", on.EnabledBy);
        var set = await directory.GetIfChanged(Guid.Empty, 0);
        Assert.Contains(account, set!.Accounts);
        Assert.Null(await directory.GetIfChanged(set.Epoch, set.Version));
        await trace.Append([M(DateTimeOffset.UtcNow, "ligado\0com NUL")]);
        Assert.Equal(["ligado\uFFFDcom NUL"], (await Stored(account)).Select(r => r.Message));

        await trace.SetEnabled(false, "admin.teste");
        var after = await directory.GetIfChanged(set.Epoch, set.Version);
        Assert.DoesNotContain(account, after!.Accounts);
        await trace.Append([M(DateTimeOffset.UtcNow, "depois de desligar")]);
        Assert.Single(await Stored(account)); // kept until the bounds take it, nothing new

        await using var audit = cluster.Db.CreateCommand(
            "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE entity = 'circuit' AND entity_id = @a");
        audit.Parameters.AddWithValue("a", account);
        Assert.Equal("sip-trace-on,sip-trace-off", await audit.ExecuteScalarAsync());
    }

    [Fact]
    public async Task WhenTheApiSwitchesTracing_ThenBadInputIs400NamingTheField_AnUnknownCircuit404_AndGetShowsTheState()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);

        var missing = await admin.PutAsJsonAsync($"/api/circuits/{account}/trace", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.JsonAsync()).GetProperty("errors").TryGetProperty("enabled", out _));
        var wrongType = await admin.PutAsync($"/api/circuits/{account}/trace",
            new StringContent("{\"enabled\":\"sim\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.False((await cluster.Grains.SipTrace(account).Get()).Enabled);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/circuits/99999999999999/trace", new { enabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/circuits/{account}/trace?limit=501")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await cluster.AsSwitch().PutAsJsonAsync($"/api/circuits/{account}/trace", new { enabled = true })).StatusCode);

        var on = await admin.PutAsJsonAsync($"/api/circuits/{account}/trace", new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        await cluster.Grains.SipTrace(account).Append([M(DateTimeOffset.UtcNow.AddSeconds(-1), "INVITE sip:1133334444@x SIP/2.0"),
            M(DateTimeOffset.UtcNow, "SIP/2.0 100 Trying", "out")]);
        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}/trace");
        Assert.True(view.GetProperty("enabled").GetBoolean());
        Assert.Equal(500, view.GetProperty("maxMessages").GetInt32());
        Assert.Equal(24, view.GetProperty("maxAgeHours").GetInt32());
        var messages = view.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["SIP/2.0 100 Trying", "INVITE sip:1133334444@x SIP/2.0"], messages.Select(m => m.GetProperty("message").GetString()));
        Assert.Equal("out", messages[0].GetProperty("direction").GetString());
        Assert.Equal("udp:127.0.0.1:5062", messages[0].GetProperty("src").GetString());
        var one = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}/trace?limit=1");
        Assert.Single(one.GetProperty("messages").EnumerateArray());

        var off = await (await admin.PutAsJsonAsync($"/api/circuits/{account}/trace", new { enabled = false })).JsonAsync();
        Assert.False(off.GetProperty("enabled").GetBoolean());
    }
}
