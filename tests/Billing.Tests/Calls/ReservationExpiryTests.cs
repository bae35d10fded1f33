using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Registration;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Tests.Calls;

/// <summary>A reservation whose call never completes frees its credit after granted time + grace (injected clock).</summary>
public sealed class ReservationExpiryTests
{
    [Fact]
    public async Task WhenACallNeverCompletes_ThenItsReservationExpiresAndFreesTheCredit()
    {
        var cs = await TestDatabase.CreateAsync("billing_expiry");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        try
        {
            await using var silo = await InProcessSilo.StartAsync(cs, "exp-" + Guid.NewGuid().ToString("N")[..6], "silo-x",
                services => services.AddSingleton<TimeProvider>(clock),
                new Dictionary<string, string?>
                {
                    ["Billing:Calls:TimerSeconds"] = "1",
                    ["Billing:Calls:ChunkSeconds"] = "60",
                    ["Billing:Calls:ReservationGraceSeconds"] = "30",
                });
            await silo.Grains.GetGrain<ICustomerGrain>("cus:1").Create(new CustomerData { Nome = "Cliente", Documento = Docs.Cpf() }, "test");
            await silo.Grains.GetGrain<IPlanGrain>("plan:p").Create("Plano", clock.GetUtcNow().AddDays(-1),
                ImmutableDictionary<CallType, PlanEntry>.Empty.Add(CallType.LocalFixo, PlanEntry.Of(Tariff.Simple(0.60m, 1))));
            var circuit = silo.Grains.GetGrain<ICircuitGrain>("ckt:4242");
            Assert.True((await circuit.Create(new CircuitData { Name = "c", CustomerId = 1, PlanId = "p", AreaCode = "11" }, "test")).IsOk);
            await circuit.Credit(new CreditRequest(1.00m, "carga", "k", "test"));

            var auth = await circuit.Authorize(new AuthorizeRequest("lost-call", "1133334444", CallDirection.Outbound, null));
            Assert.True(auth.Allowed);
            Assert.Equal(60, auth.MaxSeconds);
            Assert.Equal(0.60m, (await circuit.GetBalance())!.Reserved);

            clock.Advance(TimeSpan.FromSeconds(89)); // granted 60 s + 30 s grace not yet over
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.Equal(0.60m, (await circuit.GetBalance())!.Reserved);

            clock.Advance(TimeSpan.FromSeconds(2));
            var freed = false;
            for (var i = 0; i < 20 && !freed; i++)
            {
                await Task.Delay(250);
                freed = (await circuit.GetBalance())!.Reserved == 0m;
            }
            Assert.True(freed, "a reserva não expirou");
            var balance = (await circuit.GetBalance())!;
            Assert.Equal(1.00m, balance.Available);
            Assert.Equal(1.00m, balance.Balance);
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }
}
