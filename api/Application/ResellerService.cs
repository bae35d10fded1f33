using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Resellers;

namespace Billing.Api.Application;

/// <summary>
/// The resellers' ("revendas") commands, shared by <c>/api/resellers</c> and the admin pages (<c>/admin/revendas</c>):
/// validates first (the grain validates again), then one grain call; answers <see cref="CommandResult{T}"/>.
/// </summary>
public sealed class ResellerService(IClusterClient grains)
{
    public static string NotFoundMessage(long id) => string.Create(CultureInfo.InvariantCulture, $"Revenda {id} não encontrada.");

    public Task<ResellerView?> Get(long id) => grains.Reseller(id).Get();

    public Task<ResellerTotals?> Totals(long id) => grains.Reseller(id).GetTotals();

    public async Task<CommandResult<ResellerView>> Create(ResellerData input, string actor)
    {
        var errors = ResellerRules.Validate(input, out var data);
        if (errors.Count > 0) return FieldError.Invalid<ResellerView>(errors);
        var id = await grains.NextId(IdSequences.Resellers);
        var grain = grains.Reseller(id);
        var r = await grain.Create(data, actor);
        return r.IsOk ? CommandResult<ResellerView>.Ok((await grain.Get())!) : CommandResult<ResellerView>.From(r);
    }

    public async Task<CommandResult<ResellerView>> Update(long id, ResellerData input, string actor)
    {
        var errors = ResellerRules.Validate(input, out var data);
        if (errors.Count > 0) return FieldError.Invalid<ResellerView>(errors);
        var grain = grains.Reseller(id);
        var r = await grain.Update(data, actor);
        return r.IsOk ? CommandResult<ResellerView>.Ok((await grain.Get())!) : CommandResult<ResellerView>.From(r);
    }

    /// <summary>Soft delete (refused while DIDs are in service for the reseller); answers the id.</summary>
    public async Task<CommandResult<long>> Delete(long id, string actor) => Of(id, await grains.Reseller(id).Delete(actor));

    /// <summary>A customer (and so all its circuits) now belongs to this reseller; answers the customer id.</summary>
    public async Task<CommandResult<long>> LinkCustomer(long id, long? customerId, string actor)
    {
        if (customerId is not > 0) return CommandResult<long>.Invalid("customerId", "Informe o cliente.");
        if (await grains.Reseller(id).Get() is null) return CommandResult<long>.NotFound(NotFoundMessage(id));
        return Of(customerId.Value, await grains.Customer(customerId.Value).SetReseller(id, null, actor));
    }

    /// <summary>The customer leaves this reseller (only when it belongs to it); answers the customer id.</summary>
    public async Task<CommandResult<long>> UnlinkCustomer(long id, long customerId, string actor)
    {
        if (customerId <= 0)
            return CommandResult<long>.NotFound(string.Create(CultureInfo.InvariantCulture, $"O cliente {customerId} não pertence à revenda {id}."));
        return Of(customerId, await grains.Customer(customerId).SetReseller(null, id, actor));
    }

    private static CommandResult<long> Of(long value, CommandResult r) => r.IsOk ? CommandResult<long>.Ok(value) : CommandResult<long>.From(r);
}
