namespace Billing.GrainInterfaces.Platform;

/// <summary>
/// A durable gap-free counter (key <c>seq:&lt;name&gt;</c>), e.g. invoice document numbers per issuer.
/// Every number handed out has been persisted first, so a restart never repeats one.
/// </summary>
[Alias("Billing.ISequenceGrain")]
public interface ISequenceGrain : IGrainWithStringKey
{
    [Alias("Next")]
    Task<long> Next();

    [Alias("Current")]
    Task<long> Current();
}
