using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Resellers;

/// <summary>
/// A reseller ("revenda"), key <c>rev:&lt;id&gt;</c> (id from the sequence <c>resellers_id_seq</c>).
/// The <c>resellers</c> row is its source of truth (loaded on activation, written by its commands
/// together with the audit log). Keeps today's and this month's inbound completion totals live: loaded
/// from the ledger on activation, then fed by the circuits as they rate inbound calls.
/// </summary>
[Alias("Billing.IResellerGrain")]
public interface IResellerGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<CommandResult> Create(ResellerData data, string actor);

    [Alias("Update")]
    Task<CommandResult> Update(ResellerData data, string actor);

    /// <summary>Soft delete; Conflict while DIDs are still in service for it.</summary>
    [Alias("Delete")]
    Task<CommandResult> Delete(string actor);

    [Alias("Get")]
    Task<ResellerView?> Get();

    /// <summary>Completion price per inbound minute, or null when the reseller does not exist.</summary>
    [Alias("GetCompletionPrice")]
    Task<decimal?> GetCompletionPrice();

    /// <summary>A circuit rated an inbound minute for this reseller (after its ledger row is durable). Idempotent by call id.</summary>
    [Alias("RecordCompletion"), Orleans.Concurrency.OneWay]
    Task RecordCompletion(string callId, DateTimeOffset startedAt, int billedSeconds, decimal amount);

    [Alias("GetTotals")]
    Task<ResellerTotals?> GetTotals();
}

public static class ResellerKeys
{
    public const string Prefix = "rev:";

    public static string For(long id) => Prefix + id.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string key, out long id)
    {
        id = 0;
        return key is not null && key.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }

    public static IResellerGrain Reseller(this IGrainFactory grains, long id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IResellerGrain>(For(id));
    }
}
