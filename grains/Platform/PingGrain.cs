using Billing.GrainInterfaces.Platform;
using Orleans.Concurrency;

namespace Billing.Grains.Platform;

[StatelessWorker]
public sealed class PingGrain(ILocalSiloDetails silo) : Grain, IPingGrain
{
    public Task<string> Ping() => Task.FromResult(silo.Name);
}
