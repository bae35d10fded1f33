using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Billing.Tests.Calls;

/// <summary>
/// Junk into every field of every switch endpoint while good calls of other circuits flow: NUL and control
/// characters, 10 000-character strings, lone surrogates, huge/negative/fractional numbers, dates from year 1 to
/// 9999, wrong JSON types. Nothing may answer 5xx, no good call may be lost or charged twice, and every balance
/// must equal its ledger afterwards.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SwitchFuzzTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly string[] Junk =
    [
        "\"\\u0000\"", "\"12\\u00003\"", "\"x\\u0007y\"", "\"\\u001b[31m\"", "\"\\u0085\"", "\"\\ud800\"", "\"\\udfff\\ud800\"",
        "\"" + new string('9', 10_000) + "\"", "\"\"", "\"   \"",
        "1e30", "-1", "2147483648", "-9223372036854775809", "1.5", "0", "99999999999999999999999999999",
        "\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"", "\"1900-01-01T00:00:00+14:00\"", "\"não é data\"",
        "null", "true", "{}", "[]", "[\"\\u0000\"]",
    ];

    // %00 in a path is refused by Kestrel itself (400) and cannot even be sent through the in-process TestServer
    private static readonly string[] PathJunk = ["%01%02", "a%07b", "%1B%5B31m", new('x', 1000), "%F0%9F", "%ED%A0%80"];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A JSON object from (name, JSON literal) pairs, with <paramref name="field"/>'s literal replaced.</summary>
    private static string With((string Name, string Literal)[] fields, string field, string junk) =>
        "{" + string.Join(',', fields.Select(f => $"\"{f.Name}\":{(f.Name == field ? junk : f.Literal)}")) + "}";

    [Fact]
    public async Task WhenEveryFieldOfEverySwitchEndpointGetsJunk_ThenNo5xx_NoGoodCallLostOrDoubled_AndBalancesEqualTheLedger()
    {
        using var admin = cluster.AsAdmin();
        using var sw = cluster.AsSwitch();
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var good = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var a = await Seed.CircuitAsync(admin, customer, plan);
            await Seed.CreditAsync(admin, a, 1000m);
            good.Add(a);
        }
        var victim = await Seed.CircuitAsync(admin, customer, plan);
        await Seed.CreditAsync(admin, victim, 10_000m);

        var serverErrors = new ConcurrentQueue<string>();
        var sent = 0;
        async Task<HttpResponseMessage> Send(string what, Func<Task<HttpResponseMessage>> request)
        {
            var r = await request();
            Interlocked.Increment(ref sent);
            if ((int)r.StatusCode >= 500) serverErrors.Enqueue($"{what} → {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
            return r;
        }

        // the good stream: authorize + complete on other circuits for as long as the junk flows
        var acks = new ConcurrentBag<(string CallId, string Account, decimal Cost)>();
        using var stop = new CancellationTokenSource();
        async Task GoodWorker(int w)
        {
            var rnd = new Random(w);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var account = good[rnd.Next(good.Count)];
                var callId = $"good-{w}-{n}-{Guid.NewGuid():N}";
                var auth = await Send("good authorize", () => sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination = "1133334444" }));
                Assert.Equal(HttpStatusCode.OK, auth.StatusCode);
                var done = await Send("good complete", () => sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 1 + rnd.Next(600) }));
                Assert.Equal(HttpStatusCode.OK, done.StatusCode);
                acks.Add((callId, account, (await done.JsonAsync()).GetProperty("cost").GetDecimal()));
            }
        }
        var goodWorkers = Enumerable.Range(0, 4).Select(GoodWorker).ToList();

        var now = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");
        async Task JunkAuthorize()
        {
            (string, string)[] outbound =
            [
                ("callId", "\"ja\""), ("account", $"\"{victim}\""), ("destination", "\"1133334444\""), ("direction", "\"outbound\""),
                ("caller", "\"1122223333\""), ("did", "null"), ("collect", "false"), ("callType", "null"),
            ];
            (string, string)[] inbound =
            [
                ("callId", "\"ji\""), ("direction", "\"inbound\""), ("did", "\"+551130000000\""), ("caller", "\"1122223333\""),
                ("account", "null"), ("destination", "null"), ("collect", "true"), ("callType", "\"a_cobrar\""),
            ];
            var i = 0;
            foreach (var fields in new[] { outbound, inbound })
            foreach (var (field, _) in fields)
            foreach (var junk in Junk)
            {
                // a fresh call id each time, so a junk-free retry path is exercised as well
                var f = fields.Select(x => x.Item1 == "callId" ? (x.Item1, $"\"j{i++}-{Guid.NewGuid():N}\"") : x).ToArray();
                await Send($"authorize {field}={junk[..Math.Min(20, junk.Length)]}", () => sw.PostAsync("/api/calls/authorize", Json(With(f, field, junk))));
            }
        }

        async Task JunkComplete()
        {
            var i = 0;
            foreach (var withAccount in new[] { false, true })
            foreach (var field in new[] { "durationSeconds", "answeredAt", "hangupCause", "account", "destination", "direction", "startedAt", "caller" })
            foreach (var junk in Junk)
            {
                var callId = $"jc{i++}-{Guid.NewGuid():N}";
                var auth = await Send("junk-complete authorize", () => sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account = victim, destination = "1133334444" }));
                Assert.Equal(HttpStatusCode.OK, auth.StatusCode);
                (string, string)[] fields =
                [
                    ("durationSeconds", "42"), ("answeredAt", $"\"{now}\""), ("hangupCause", "\"normal\""),
                    ("account", withAccount ? $"\"{victim}\"" : "null"), ("destination", "\"1133334444\""), ("direction", "\"outbound\""),
                    ("startedAt", $"\"{now}\""), ("caller", "\"1122223333\""),
                ];
                var r = await Send($"complete {field}={junk[..Math.Min(20, junk.Length)]}", () => sw.PostAsync($"/api/calls/{callId}/complete", Json(With(fields, field, junk))));
                if (r.StatusCode == HttpStatusCode.BadRequest)
                {
                    // refused input changed nothing: the call is still open and bills once on a clean retry
                    var retry = await Send("clean retry", () => sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 42 }));
                    Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
                }
            }
            foreach (var junk in PathJunk)
            {
                await Send($"extend path {junk[..Math.Min(20, junk.Length)]}", () => sw.PostAsync($"/api/calls/{junk}/extend", null));
                await Send($"complete path {junk[..Math.Min(20, junk.Length)]}", () => sw.PostAsync($"/api/calls/{junk}/complete", Json("""{"durationSeconds":10}""")));
            }
        }

        async Task JunkCdrs()
        {
            (string, string)[] row =
            [
                ("callId", "\"cdr\""), ("account", $"\"{victim}\""), ("destination", "\"1133334444\""), ("direction", "\"outbound\""),
                ("start", $"\"{now}\""), ("durationSeconds", "30"),
            ];
            var i = 0;
            var tag = Guid.NewGuid().ToString("N")[..8];
            var rows = new List<string>();
            foreach (var (field, _) in row)
            foreach (var junk in Junk)
            {
                var f = row.Select(x => x.Item1 == "callId" && field != "callId" ? (x.Item1, $"\"cdr{i++}-{Guid.NewGuid():N}\"") : x).ToArray();
                rows.Add(With(f, field, junk));
            }
            await Send("cdrs json", () => sw.PostAsync("/api/cdrs", Json("[" + string.Join(',', rows) + "]")));
            var csv = new StringBuilder("callId,account,destination,direction,start,durationSeconds\n");
            foreach (var junk in new[] { "\0", "\u0007", "\u001b[31m", new string('9', 10_000), "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "-1", "1e30", "\"" })
            {
                // junk in start and duration of one row, in the call id and destination of another
                csv.Append("csv").Append(i++).Append('-').Append(tag).Append(',').Append(victim).Append(",1133334444,outbound,").Append(junk).Append(',').Append(junk).Append('\n');
                csv.Append("csv").Append(i++).Append(junk).Append(',').Append(victim).Append(',').Append(junk).Append(",outbound,").Append(now).Append(",30\n");
            }
            await Send("cdrs csv", () => sw.PostAsync("/api/cdrs", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")));
        }

        await Task.WhenAll(JunkAuthorize(), JunkComplete(), JunkCdrs());
        await stop.CancelAsync();
        await Task.WhenAll(goodWorkers);

        // every good call in the ledger once, with the acknowledged cost
        var ledger = new Dictionary<string, (decimal Cost, long Rows)>(StringComparer.Ordinal);
        await using (var cmd = cluster.Db.CreateCommand("SELECT call_id, -amount, count(*) OVER (PARTITION BY call_id) FROM ledger WHERE kind = 'call' AND call_id LIKE 'good-%'"))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) ledger[r.GetString(0)] = (r.GetDecimal(1), r.GetInt64(2));
        }
        var ackList = acks.ToList();
        var lost = ackList.Count(a => !ledger.ContainsKey(a.CallId));
        var doubled = ledger.Values.Count(v => v.Rows > 1);
        var wrongCost = ackList.Count(a => ledger.TryGetValue(a.CallId, out var l) && l.Cost != a.Cost);
        var mismatched = new List<string>();
        foreach (var a in good.Append(victim))
        {
            await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(sum(amount), 0) FROM ledger WHERE account = @a");
            cmd.Parameters.AddWithValue("a", a);
            var sum = (decimal)(await cmd.ExecuteScalarAsync())!;
            var b = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
            if (b.GetProperty("balance").GetDecimal() != sum) mismatched.Add($"{a}: {b.GetProperty("balance").GetDecimal()} ≠ {sum}");
        }
        var report = $"fuzz: {sent} requisições, {ackList.Count} chamadas boas confirmadas; 5xx {serverErrors.Count}, perdidas {lost}, " +
                     $"duplicadas {doubled}, custo divergente {wrongCost}, saldos divergentes {mismatched.Count}";
        output.WriteLine(report);
        Console.WriteLine(report);
        Assert.True(serverErrors.IsEmpty, string.Join('\n', serverErrors.Take(20)));
        Assert.True(ackList.Count > 0);
        Assert.Equal(0, lost);
        Assert.Equal(0, doubled);
        Assert.Equal(0, wrongCost);
        Assert.Empty(mismatched);
    }
}
