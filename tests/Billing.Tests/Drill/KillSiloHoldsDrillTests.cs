using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Billing.Tests.Drill;

/// <summary>
/// The kill -9 drill for credit holds: a prepaid circuit with R$ 1,00 grants its whole balance to 10 concurrent calls,
/// its only silo is killed hard and restarted, and 10 more authorizes come in. The holds of the calls still running
/// come back with the circuit, so the total ever granted never exceeds balance + credit limit, the running calls
/// still extend and complete (without naming their account: their routes died with the silo), and only what they
/// used is charged.
/// </summary>
[Collection(DrillCollection.Name)]
[Trait("Category", "Slow")]
public sealed class KillSiloHoldsDrillTests(ITestOutputHelper output)
{
    private const decimal Price = 0.02m; // per minute, per second: 300 s (one chunk) = R$ 0,10

    private static decimal Granted(JsonElement answer) =>
        answer.GetProperty("allowed").GetBoolean()
            ? Math.Round(answer.GetProperty("maxSeconds").GetInt32() * Price / 60m, 2, MidpointRounding.AwayFromZero)
            : 0m;

    [Fact]
    public async Task WhenTheSiloIsKilledWithCallsHoldingCredit_ThenNoCreditIsGrantedTwice()
    {
        var db = await TestDatabase.CreateAsync("billing_drill_holds");
        try
        {
            await using var cluster = new ProcessCluster { Database = db };
            cluster.StartSilo(0);
            cluster.StartApi();
            await cluster.WaitReadyAsync(TimeSpan.FromSeconds(90));
            using var admin = cluster.Client(cluster.AdminKey);
            using var sw = cluster.Client(cluster.SwitchKey);

            var customer = await (await admin.PostAsJsonAsync("/api/customers", new { nome = "Cliente das reservas", documento = Docs.Cpf() })).JsonAsync();
            var slots = new[] { new { fromSecond = 0, pricePerMinute = Price, incrementSeconds = 1 } };
            var plan = await admin.PostAsJsonAsync("/api/plans", new
            {
                id = "holds", name = "Plano das reservas", validFrom = DateTimeOffset.UtcNow.AddDays(-1),
                entries = new { local_fixo = new { tariff = new { connectFee = 0m, slots, minimumSeconds = 0, freeSeconds = 0 } } },
            });
            Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
            const string account = "600000001";
            var created = await admin.PostAsJsonAsync("/api/circuits", new
            {
                account, name = "Pré-pago R$ 1", customerId = customer.GetProperty("id").GetInt64(), planId = "holds", areaCode = "11",
                billingMode = "prepaid", creditLimit = 0m,
            });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            var credit = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits", new { amount = 1.00m, description = "Carga", idempotencyKey = "open" });
            Assert.True(credit.IsSuccessStatusCode, await credit.Content.ReadAsStringAsync());

            Task<HttpResponseMessage> Authorize(string callId) =>
                sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination = "1133334444" });

            // 10 concurrent calls take the whole R$ 1,00
            var first = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i => await (await Authorize($"before-{i}")).JsonAsync()));
            var grantedBefore = first.Sum(Granted);
            var live = Enumerable.Range(0, 10).Where(i => first[i].GetProperty("allowed").GetBoolean()).Select(i => $"before-{i}").ToList();
            Assert.Equal(1.00m, grantedBefore);
            Assert.Equal(10, live.Count);

            cluster.KillSilo(0);
            cluster.StartSilo(0);

            // the same calls keep running; 10 new ones arrive as soon as the cluster answers again
            var after = new List<JsonElement>();
            for (var i = 0; i < 10; i++)
            {
                var r = await ProcessCluster.Retry(() => Authorize($"after-{i}"));
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                after.Add(await r.JsonAsync());
            }
            var grantedAfter = after.Sum(Granted);
            var balance = await (await ProcessCluster.Retry(() => admin.GetAsync($"/api/circuits/{account}/balance"))).JsonAsync();
            var report = $"reservas no kill -9: concedido antes R$ {grantedBefore}, depois R$ {grantedAfter}; " +
                         $"reservado após reinício R$ {balance.GetProperty("reserved").GetDecimal()}, disponível R$ {balance.GetProperty("available").GetDecimal()} (logs: {cluster.Logs})";
            output.WriteLine(report);
            Console.WriteLine(report);
            Assert.True(grantedBefore + grantedAfter <= 1.00m, report);
            Assert.Equal(1.00m, balance.GetProperty("reserved").GetDecimal());
            Assert.Equal(0m, balance.GetProperty("available").GetDecimal());

            // a running call is still known (its route died with the silo): it extends (nothing left) and completes
            var extend = await (await ProcessCluster.Retry(() => sw.PostAsync($"/api/calls/{live[0]}/extend", null))).JsonAsync();
            Assert.Equal("saldo_insuficiente", extend.GetProperty("reason").GetString());
            var done = await ProcessCluster.Retry(() => sw.PostAsJsonAsync($"/api/calls/{live[0]}/complete", new { durationSeconds = 60 }));
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            Assert.Equal(0.02m, (await done.JsonAsync()).GetProperty("cost").GetDecimal());
            var end = await (await ProcessCluster.Retry(() => admin.GetAsync($"/api/circuits/{account}/balance"))).JsonAsync();
            Assert.Equal(0.98m, end.GetProperty("balance").GetDecimal());
            Assert.Equal(0.90m, end.GetProperty("reserved").GetDecimal());
            Assert.Equal(0.08m, end.GetProperty("available").GetDecimal());
        }
        finally
        {
            await TestDatabase.DropAsync(db);
        }
    }
}
