namespace Billing.GrainInterfaces.Platform;

/// <summary>
/// Hands out ids of new entities from their PostgreSQL sequences (key <see cref="Key"/>), so the id exists before the
/// entity's grain is created. Only the sequences named in <see cref="IdSequences"/>.
/// </summary>
[Alias("Billing.IIdAllocatorGrain")]
public interface IIdAllocatorGrain : IGrainWithStringKey
{
    public const string Key = "ids";

    [Alias("Next")]
    Task<long> Next(string sequence);
}

public static class IdSequences
{
    public const string Customers = "customers_id_seq";
    public const string Resellers = "resellers_id_seq";

    public static bool IsKnown(string? sequence) => sequence is Customers or Resellers;

    public static Task<long> NextId(this IGrainFactory grains, string sequence)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IIdAllocatorGrain>(IIdAllocatorGrain.Key).Next(sequence);
    }
}
