using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Tests.Infrastructure;
using Npgsql;

namespace Billing.Tests.Calls;

/// <summary>Grain state = snapshot + ledger replay: balances survive a silo stop and always equal the ledger.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task WhenTheSiloRestartsMidStream_ThenEveryBalanceEqualsTheLedger()
    {
        var cs = await TestDatabase.CreateAsync("billing_recovery");
        var clusterId = "rec-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            var accounts = Enumerable.Range(0, 20).Select(i => (900_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var rated = 0;
            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-a"))
            {
                var customer = await silo.Grains.GetGrain<Billing.GrainInterfaces.Registration.ICustomerGrain>("cus:1")
                    .Create(new Billing.GrainInterfaces.Registration.CustomerData { Nome = "Cliente recuperação", Documento = Billing.Tests.Registration.Docs.Cpf() }, "test");
                Assert.Equal("Ok", customer.Status.ToString());
                await Task.WhenAll(accounts.Select(async a =>
                {
                    var g = silo.Grains.GetGrain<ICircuitGrain>("ckt:" + a);
                    Assert.Equal(CommandStatus.Ok, (await g.Create(new CircuitData { Name = a, CustomerId = 1, AreaCode = "11" }, "test")).Status);
                    await g.Credit(new CreditRequest(10m, "abertura", "open-" + a, "test"));
                }));
                // emergency calls are free; calls with a destination and no plan are refused, so rate inbound + debit credits
                var tasks = accounts.SelectMany(a => Enumerable.Range(0, 25).Select(async i =>
                {
                    var g = silo.Grains.GetGrain<ICircuitGrain>("ckt:" + a);
                    await g.Credit(new CreditRequest(-0.07m, "tarifa", $"deb-{a}-{i}", "test"));
                    var r = await g.Complete(new CompleteRequest
                    {
                        CallId = $"rec-{a}-{i}", DurationSeconds = 30 + i, Destination = "190",
                    });
                    Assert.True(r.Ok);
                    Interlocked.Increment(ref rated);
                }));
                await Task.WhenAll(tasks);
            }

            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-b"))
            {
                await using var db = NpgsqlDataSource.Create(cs);
                foreach (var a in accounts)
                {
                    await using var cmd = db.CreateCommand("SELECT coalesce(sum(amount), 0), count(*) FILTER (WHERE kind = 'call') FROM ledger WHERE account = @a");
                    cmd.Parameters.AddWithValue("a", a);
                    await using var r = await cmd.ExecuteReaderAsync();
                    await r.ReadAsync();
                    var balance = await silo.Grains.GetGrain<ICircuitGrain>("ckt:" + a).GetBalance();
                    Assert.Equal(r.GetDecimal(0), balance!.Balance);
                    Assert.Equal(10m - 25 * 0.07m, balance.Balance);
                    Assert.Equal(25, r.GetInt64(1));
                }
                // a retried complete after the restart is answered from the ledger, not charged again
                var again = await silo.Grains.GetGrain<ICircuitGrain>("ckt:" + accounts[0]).Complete(new CompleteRequest
                {
                    CallId = $"rec-{accounts[0]}-3", DurationSeconds = 33, Destination = "190",
                });
                Assert.Equal(CompleteStatus.Duplicate, again.Status);
            }
            Assert.Equal(500, rated);
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
