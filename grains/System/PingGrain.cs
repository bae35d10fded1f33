using Billing.GrainInterfaces.System;
using Orleans.Concurrency;

namespace Billing.Grains.System;

[StatelessWorker]
public sealed class PingGrain(ILocalSiloDetails silo) : Grain, IPingGrain
{
    public Task<string> Ping() => Task.FromResult(silo.Name);
}
