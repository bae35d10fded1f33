using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Billing.Tests.Switch;
using Npgsql;
using Xunit.Abstractions;

namespace Billing.Tests.Drill;

/// <summary>
/// The kill -9 drill with SIP traffic: a real Kamailio (shipped cfg), one silo process connected to its evapi
/// (BILLING_SWITCH_EVAPI) and the API process. Answered calls are in progress when the silo is killed hard; they end
/// while it is down (Kamailio keeps their completes), the silo is restarted: Kamailio is reconnected (a new call is
/// authorized) and every answered call is billed exactly once, every balance equal to its ledger.
/// </summary>
[Collection(DrillCollection.Name)]
[Trait("Category", "Slow")]
public sealed class KillSiloSipDrillTests(ITestOutputHelper output)
{
    private const string Local = "1133334444";

    private static async Task Until(Func<bool> done, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!done() && DateTime.UtcNow < until) await Task.Delay(50);
        if (!done()) throw new TimeoutException(what);
    }

    [KamailioFact]
    [Trait("Category", "Slow")]
    public async Task WhenTheSiloIsKilledWhileSipCallsAreInProgress_ThenKamailioReconnectsAndEveryAnsweredCallIsBilledOnce()
    {
        var db = await TestDatabase.CreateAsync("billing_drill_sip");
        await using var carrier = new SipAgent("carrier");
        await using var phone = new SipAgent("circuit");
        await using var kamailio = await KamailioProcess.StartAsync(KamailioConfigTests.ConfigPath, carrier.Port,
            new Dictionary<string, string> { ["BILLING_EVAPI_RETRY"] = "2" });
        var evapi = new Dictionary<string, string> { ["BILLING_SWITCH_EVAPI"] = "127.0.0.1:" + kamailio.EvapiPort.ToString(CultureInfo.InvariantCulture) };
        try
        {
            await using var cluster = new ProcessCluster { Database = db };
            cluster.StartSilo(0, evapi);
            cluster.StartApi();
            await cluster.WaitReadyAsync(TimeSpan.FromSeconds(90));
            using var admin = cluster.Client(cluster.AdminKey);
            await Until(() => kamailio.Logged("billing: cluster connected"), TimeSpan.FromSeconds(60), "o silo não conectou ao evapi:\n" + kamailio.Log);

            // a plan of R$ 0,60/min per second (R$ 0,01 a second) and 3 funded prepaid circuits
            var customer = await (await admin.PostAsJsonAsync("/api/customers", new { nome = "Cliente do ensaio SIP", documento = Docs.Cpf() })).JsonAsync();
            var slots = new[] { new { fromSecond = 0, pricePerMinute = 0.60m, incrementSeconds = 1 } };
            var plan = await admin.PostAsJsonAsync("/api/plans", new
            {
                id = "sipdrill", name = "Plano do ensaio SIP", validFrom = DateTimeOffset.UtcNow.AddDays(-1),
                entries = new { local_fixo = new { tariff = new { connectFee = 0m, slots, minimumSeconds = 0, freeSeconds = 0 } } },
            });
            Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
            var accounts = Enumerable.Range(1, 3).Select(i => (610_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
            foreach (var a in accounts)
            {
                var c = await admin.PostAsJsonAsync("/api/circuits", new
                {
                    account = a, name = "SIP " + a, customerId = customer.GetProperty("id").GetInt64(), planId = "sipdrill", areaCode = "11",
                    billingMode = "prepaid", creditLimit = 0m,
                });
                Assert.True(c.IsSuccessStatusCode, await c.Content.ReadAsStringAsync());
                var k = await admin.PostAsJsonAsync($"/api/circuits/{a}/credits", new { amount = 100m, description = "Carga", idempotencyKey = "open-" + a });
                Assert.True(k.IsSuccessStatusCode, await k.Content.ReadAsStringAsync());
                // every INVITE is digest-authenticated with the circuit's Senha SIP
                var p = await admin.PutAsJsonAsync($"/api/circuits/{a}/sip-password", new { sipPassword = "senha-sip-" + a });
                Assert.True(p.IsSuccessStatusCode, await p.Content.ReadAsStringAsync());
                phone.SetPassword(a, "senha-sip-" + a);
            }

            // 6 answered calls in progress, 2 per circuit
            var calls = new List<(SipCall Call, string Account)>();
            foreach (var a in accounts.Concat(accounts))
            {
                var call = await phone.CallAsync(kamailio.Sip, a, Local, timeout: TimeSpan.FromSeconds(30));
                Assert.True(call.Status == 200, call.Final.StartLine + "\n" + kamailio.Log);
                await carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(5), "ACK na operadora");
                calls.Add((call, a));
            }
            await Task.Delay(TimeSpan.FromSeconds(2));

            var clock = Stopwatch.StartNew();
            var closedBefore = kamailio.Count("billing: cluster connection from");
            cluster.KillSilo(0);
            await Until(() => kamailio.Count("billing: cluster connection from") > closedBefore, TimeSpan.FromSeconds(10),
                "o Kamailio não viu a conexão do silo cair:\n" + kamailio.Log);
            var sawClosed = clock.Elapsed;

            // while the silo is down: a new call is refused at once, the running ones end and their completes are kept
            var refused = await phone.CallAsync(kamailio.Sip, accounts[0], Local);
            Assert.Equal(503, refused.Status);
            foreach (var (call, _) in calls)
            {
                var bye = await call.HangUpAsync();
                Assert.Equal(200, bye.Status);
            }
            foreach (var (call, _) in calls)
                await carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(5), "BYE na operadora");
            Assert.Equal(calls.Count, kamailio.Count("not sent now (no cluster connected), kept for resending"));

            var connectedBefore = kamailio.Count("billing: cluster connected");
            var restartAt = clock.Elapsed;
            cluster.StartSilo(0, evapi);
            await Until(() => kamailio.Count("billing: cluster connected") > connectedBefore, TimeSpan.FromSeconds(120),
                "o silo reiniciado não reconectou ao evapi (logs: " + cluster.Logs + "):\n" + kamailio.Log);
            var reconnected = clock.Elapsed - restartAt;

            // Kamailio is back in business: a new call is authorized, answered and billed
            SipCall after;
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                after = await phone.CallAsync(kamailio.Sip, accounts[1], Local, timeout: TimeSpan.FromSeconds(30));
                if (after.Status == 200 || DateTime.UtcNow > until) break;
                await Task.Delay(500);
            }
            Assert.True(after.Status == 200, after.Final.StartLine + "\n" + kamailio.Log);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(200, (await after.HangUpAsync()).Status);
            calls.Add((after, accounts[1]));

            // every answered call billed exactly once, with its answered seconds
            await using var data = NpgsqlDataSource.Create(db);
            var rows = new Dictionary<string, List<(int Duration, int Billed, decimal Amount)>>();
            async Task ReadLedger()
            {
                rows.Clear();
                await using var cmd = data.CreateCommand("SELECT call_id, duration_seconds, billed_seconds, amount FROM ledger WHERE kind = 'call'");
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    if (!rows.TryGetValue(r.GetString(0), out var list)) rows[r.GetString(0)] = list = [];
                    list.Add((r.GetInt32(1), r.GetInt32(2), r.GetDecimal(3)));
                }
            }
            var billedBy = DateTime.UtcNow.AddSeconds(60);
            do
            {
                await ReadLedger();
                if (calls.All(c => rows.ContainsKey(c.Call.CallId))) break;
                await Task.Delay(250);
            } while (DateTime.UtcNow < billedBy);
            var allBilled = clock.Elapsed - restartAt;
            await Task.Delay(TimeSpan.FromSeconds(5)); // more resends would show up as more rows here
            await ReadLedger();

            var missing = calls.Count(c => !rows.ContainsKey(c.Call.CallId));
            var doubled = rows.Values.Count(v => v.Count > 1);
            var balances = new List<string>();
            var mismatched = 0;
            foreach (var a in accounts)
            {
                var b = await (await ProcessCluster.Retry(() => admin.GetAsync($"/api/circuits/{a}/balance"))).JsonAsync();
                var ledger = 100m + calls.Where(c => c.Account == a && rows.ContainsKey(c.Call.CallId)).Sum(c => rows[c.Call.CallId].Sum(x => x.Amount));
                if (b.GetProperty("balance").GetDecimal() != ledger || b.GetProperty("reserved").GetDecimal() != 0m) mismatched++;
                balances.Add($"{a}: saldo {b.GetProperty("balance").GetDecimal()} (razão {ledger}), reservado {b.GetProperty("reserved").GetDecimal()}");
            }
            var report = string.Create(CultureInfo.InvariantCulture,
                $"ensaio kill -9 com SIP: {calls.Count} chamadas atendidas ({calls.Count - 1} em curso no kill), faltando {missing}, duplicadas {doubled}; " +
                $"Kamailio viu a queda em {sawClosed.TotalSeconds:F1} s; reconectou {reconnected.TotalSeconds:F1} s após o reinício; " +
                $"todas cobradas {allBilled.TotalSeconds:F1} s após o reinício; reenvios de complete {kamailio.Count("sent again")}; " +
                $"{string.Join("; ", balances)} (logs: {cluster.Logs})");
            output.WriteLine(report);
            Console.WriteLine(report);

            Assert.True(missing == 0, report + "\n" + kamailio.Log);
            Assert.Equal(0, doubled);
            Assert.Equal(0, mismatched);
            foreach (var (call, _) in calls)
            {
                var row = rows[call.CallId].Single();
                Assert.True(row.Duration >= 1, report);
                Assert.Equal(row.Duration, row.Billed);
                Assert.Equal(-0.01m * row.Billed, row.Amount);
            }
        }
        finally
        {
            await TestDatabase.DropAsync(db);
        }
    }
}
