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
}
