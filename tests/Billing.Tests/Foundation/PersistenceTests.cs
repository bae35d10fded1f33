using Billing.GrainInterfaces.Platform;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Foundation;

public sealed class PersistenceTests
{
    [Fact]
    public async Task WhenTheSiloRestarts_ThenGrainStateIsReadBackFromPostgres()
    {
        var cs = await TestDatabase.CreateAsync("billing_restart");
        var clusterId = "restart-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-a"))
            {
                var seq = silo.Grains.GetGrain<ISequenceGrain>("seq:test-issuer");
                Assert.Equal(1, await seq.Next());
                Assert.Equal(2, await seq.Next());
                Assert.Equal(3, await seq.Next());
            }

            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-b"))
            {
                var seq = silo.Grains.GetGrain<ISequenceGrain>("seq:test-issuer");
                Assert.Equal(3, await seq.Current());
                Assert.Equal(4, await seq.Next());
            }
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }

    [Fact]
    public async Task WhenTheSiloRestarts_ThenPlansCustomersAndCircuitsReactivateFromStorage()
    {
        var cs = await TestDatabase.CreateAsync("billing_restart2");
        var clusterId = "restart2-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            var entries = System.Collections.Immutable.ImmutableDictionary<Billing.GrainInterfaces.Rating.CallType, Billing.GrainInterfaces.Rating.PlanEntry>.Empty
                .Add(Billing.GrainInterfaces.Rating.CallType.LocalFixo, Billing.GrainInterfaces.Rating.PlanEntry.Of(Billing.GrainInterfaces.Rating.Tariff.ThirtySix(0.10m)));
            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-a"))
            {
                await silo.Grains.GetGrain<Billing.GrainInterfaces.Rating.IPlanGrain>("plan:p1").Create("Plano", DateTimeOffset.UtcNow.AddDays(-1), entries);
                var customer = await silo.Grains.GetGrain<Billing.GrainInterfaces.Registration.ICustomerGrain>("cus:1")
                    .Create(new Billing.GrainInterfaces.Registration.CustomerData { Nome = "Cliente", Documento = Billing.Tests.Registration.Docs.Cpf() }, "test");
                Assert.Equal("Ok", customer.Status.ToString());
                var circuit = silo.Grains.GetGrain<Billing.GrainInterfaces.Circuits.ICircuitGrain>("ckt:123");
                Assert.True((await circuit.Create(new Billing.GrainInterfaces.Circuits.CircuitData { Name = "c", CustomerId = 1, PlanId = "p1", AreaCode = "11" }, "test")).IsOk);
                await circuit.Credit(new Billing.GrainInterfaces.Circuits.CreditRequest(5m, "carga", "k1", "test"));
            }
            await using (var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-b"))
            {
                var plan = await silo.Grains.GetGrain<Billing.GrainInterfaces.Rating.IPlanGrain>("plan:p1").Get();
                Assert.NotNull(plan);
                Assert.Single(plan.Versions);
                Assert.NotNull(await silo.Grains.GetGrain<Billing.GrainInterfaces.Registration.ICustomerGrain>("cus:1").Get());
                var circuit = silo.Grains.GetGrain<Billing.GrainInterfaces.Circuits.ICircuitGrain>("ckt:123");
                Assert.Equal(5m, (await circuit.GetBalance())!.Balance);
                var auth = await circuit.Authorize(new Billing.GrainInterfaces.Circuits.AuthorizeRequest("x1", "33334444", Billing.GrainInterfaces.Circuits.CallDirection.Outbound, null));
                Assert.True(auth.Allowed, auth.Reason);
            }
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
