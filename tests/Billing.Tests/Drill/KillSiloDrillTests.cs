using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Billing.Tests.Drill;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrillCollection
{
    public const string Name = "drill";
}

/// <summary>
/// The kill -9 drill: 3 silo processes + the API process; authorize+complete for a few hundred circuits
/// over HTTP; one silo is killed hard mid-run and restarted. Nothing acknowledged may be lost, nothing
/// charged twice, and every balance must equal its ledger.
/// </summary>
[Collection(DrillCollection.Name)]
[Trait("Category", "Slow")]
public sealed class KillSiloDrillTests(ITestOutputHelper output)
{
    private sealed record Ack(string CallId, string Account, decimal Cost);

    [Fact]
    public async Task WhenASiloIsKilledHardMidStream_ThenNoAcknowledgedCallIsLostOrDoubled()
    {
        var db = await TestDatabase.CreateAsync("billing_drill");
        try
        {
            await using var cluster = new ProcessCluster { Database = db };
            for (var i = 0; i < 3; i++) cluster.StartSilo(i);
            cluster.StartApi();
            await cluster.WaitReadyAsync(TimeSpan.FromSeconds(90));
            using var admin = cluster.Client(cluster.AdminKey);
            using var sw = cluster.Client(cluster.SwitchKey);

            // a customer, a plan (R$ 0,10/min per second) and 300 funded circuits
            var customer = await (await admin.PostAsJsonAsync("/api/customers", new { nome = "Cliente do ensaio", documento = Docs.Cpf() }))
                .Content.ReadFromJsonAsync<JsonElement>();
            var customerId = customer.GetProperty("id").GetInt64();
            var slots = new[] { new { fromSecond = 0, pricePerMinute = 0.10m, incrementSeconds = 1 } };
            var plan = await admin.PostAsJsonAsync("/api/plans", new
            {
                id = "drill", name = "Plano do ensaio", validFrom = DateTimeOffset.UtcNow.AddDays(-1),
                entries = new { local_fixo = new { tariff = new { connectFee = 0m, slots, minimumSeconds = 0, freeSeconds = 0 } } },
            });
            Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
            var accounts = Enumerable.Range(0, 300).Select(i => (500_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
            using (var gate = new SemaphoreSlim(8))
            {
                await Task.WhenAll(accounts.Select(async a =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var c = await admin.PostAsJsonAsync("/api/circuits", new { account = a, name = "Ensaio " + a, customerId, planId = "drill", areaCode = "11" });
                        Assert.True(c.IsSuccessStatusCode, await c.Content.ReadAsStringAsync());
                        var k = await admin.PostAsJsonAsync($"/api/circuits/{a}/credits", new { amount = 1000m, description = "Carga", idempotencyKey = "open-" + a });
                        Assert.True(k.IsSuccessStatusCode, await k.Content.ReadAsStringAsync());
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            var acks = new ConcurrentBag<Ack>();
            var failures = new ConcurrentQueue<double>();
            var clock = Stopwatch.StartNew();
            var phase = 0; // 0 before kill, 1 after kill, 2 after restart
            double killedAt = 0;
            using var stop = new CancellationTokenSource();

            async Task Worker(int w)
            {
                var rnd = new Random(w);
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    var account = accounts[rnd.Next(accounts.Count)];
                    var callId = $"drill-{w}-{n++}";
                    try
                    {
                        var auth = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination = "1133334444" });
                        if (!auth.IsSuccessStatusCode) { failures.Enqueue(clock.Elapsed.TotalSeconds); continue; }
                        if (!(await auth.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allowed").GetBoolean()) continue;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        failures.Enqueue(clock.Elapsed.TotalSeconds);
                        continue;
                    }
                    // the switch retries a complete until it is acknowledged
                    for (var attempt = 0; attempt < 60; attempt++)
                    {
                        try
                        {
                            var r = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete",
                                new { durationSeconds = 30, account, destination = "1133334444" });
                            if (r.IsSuccessStatusCode)
                            {
                                var body = await r.Content.ReadFromJsonAsync<JsonElement>();
                                acks.Add(new Ack(callId, account, body.GetProperty("cost").GetDecimal()));
                                break;
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                        {
                        }
                        failures.Enqueue(clock.Elapsed.TotalSeconds);
                        await Task.Delay(250);
                    }
                }
            }

            var workers = Enumerable.Range(0, 24).Select(Worker).ToList();
            await Task.Delay(TimeSpan.FromSeconds(6));
            var beforeKill = acks.Count;
            cluster.KillSilo(1);
            killedAt = clock.Elapsed.TotalSeconds;
            phase = 1;
            await Task.Delay(TimeSpan.FromSeconds(20));
            cluster.StartSilo(1);
            phase = 2;
            await Task.Delay(TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            _ = phase;

            var afterKill = failures.Where(t => t >= killedAt).ToList();
            var gap = afterKill.Count == 0 ? 0 : afterKill.Max() - killedAt;

            // every acknowledged complete is in the ledger exactly once, with the acknowledged cost
            await using var data = NpgsqlDataSource.Create(db);
            var ledger = new Dictionary<string, (decimal Cost, int Rows)>(StringComparer.Ordinal);
            await using (var cmd = data.CreateCommand("SELECT call_id, -amount, count(*) OVER (PARTITION BY call_id) FROM ledger WHERE kind = 'call'"))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync()) ledger[r.GetString(0)] = (r.GetDecimal(1), (int)r.GetInt64(2));
            }
            var ackList = acks.ToList();
            var lost = ackList.Count(a => !ledger.ContainsKey(a.CallId));
            var doubled = ledger.Values.Count(v => v.Rows > 1) + ackList.GroupBy(a => a.CallId).Count(g => g.Count() > 1);
            var wrongCost = ackList.Count(a => ledger.TryGetValue(a.CallId, out var l) && l.Cost != a.Cost);

            // every circuit's live balance equals its ledger
            var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
            await using (var cmd = data.CreateCommand("SELECT account, sum(amount) FROM ledger GROUP BY account"))
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                while (await r.ReadAsync()) sums[r.GetString(0)] = r.GetDecimal(1);
            }
            var mismatched = 0;
            foreach (var a in accounts)
            {
                var b = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{a}/balance");
                if (b.GetProperty("balance").GetDecimal() != sums.GetValueOrDefault(a)) mismatched++;
            }

            var report =
                $"ensaio kill -9: {ackList.Count} completes confirmados ({beforeKill} antes do kill), {ledger.Count} no razão; " +
                $"perdidos {lost}, duplicados {doubled}, custo divergente {wrongCost}, saldos divergentes {mismatched}; " +
                $"{afterKill.Count} requisições falharam após o kill; lacuna {gap:F1} s (logs: {cluster.Logs})";
            output.WriteLine(report);
            Console.WriteLine(report);

            Assert.True(ackList.Count > beforeKill, "o tráfego não continuou depois do kill");
            Assert.Equal(0, lost);
            Assert.Equal(0, doubled);
            Assert.Equal(0, wrongCost);
            Assert.Equal(0, mismatched);
        }
        finally
        {
            await TestDatabase.DropAsync(db);
        }
    }
}
