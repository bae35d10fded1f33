using Billing.GrainInterfaces.Platform;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.Platform;

/// <summary>nextval of a known sequence (see <see cref="IIdAllocatorGrain"/>).</summary>
[StatelessWorker]
public sealed class IdAllocatorGrain(NpgsqlDataSource db) : Grain, IIdAllocatorGrain
{
    public async Task<long> Next(string sequence)
    {
        if (!IdSequences.IsKnown(sequence)) throw new ArgumentException($"Sequência desconhecida: '{sequence}'.", nameof(sequence));
        await using var cmd = db.CreateCommand("SELECT nextval(@s::regclass)");
        cmd.Parameters.AddWithValue("s", sequence);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
