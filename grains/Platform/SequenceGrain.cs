using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Platform;

namespace Billing.Grains.Platform;

[GenerateSerializer, Alias("Billing.SequenceState")]
public sealed class SequenceState
{
    [Id(0)] public long Value { get; set; }
}

public sealed class SequenceGrain(
    [PersistentState("sequence", BillingSettings.StorageName)] IPersistentState<SequenceState> state)
    : Grain, ISequenceGrain
{
    public async Task<long> Next()
    {
        state.State.Value++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // never hand out a number that is not durable
            state.State.Value--;
            throw;
        }
        return state.State.Value;
    }

    public Task<long> Current() => Task.FromResult(state.State.Value);
}
