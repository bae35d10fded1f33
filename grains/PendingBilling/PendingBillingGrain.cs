using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// Pending billing (see <see cref="IPendingBillingGrain"/>): the pending list (<see cref="PendingStore"/>, read only), what is
/// charged (<see cref="ChargesWriter"/>) and billings (<see cref="BillingRunWriter"/>); one transaction per command, rows locked.
/// </summary>
[StatelessWorker]
public sealed class PendingBillingGrain(NpgsqlDataSource db, TimeProvider clock, IGrainFactory grains) : Grain, IPendingBillingGrain
{
    private readonly ChargesWriter _charges = new(db, clock);
    private readonly BillingRunWriter _runs = new(db, clock, grains);

    /// <summary>The last day a pending list may reach (<see cref="BillingRules.PendingYearsAhead"/>): the periods listed up to it are billable.</summary>
    private DateOnly MaxAhead => SaoPauloTime.Today(clock).AddYears(BillingRules.PendingYearsAhead);

    public async Task<IReadOnlyList<PendingItem>> Pending(PendingFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var conn = await db.OpenConnectionAsync();
        var horizon = filter.BaseDate ?? filter.DueDate ?? MaxAhead;
        return await PendingStore.PendingAsync(conn, filter, horizon, grains, default);
    }

    // ---------------------------------------------------------------- contracts and avulsos

    public Task<long> CreateContract(ContractCommand contract) => _charges.CreateContract(contract);

    public Task<bool> UpdateContract(long id, ContractCommand contract) => _charges.UpdateContract(id, contract);

    public Task<CommandResult> DeleteContract(long id) => _charges.DeleteContract(id);

    public Task<long> CreateAvulso(AvulsoCommand avulso) => _charges.CreateAvulso(avulso);

    public Task<CommandResult> UpdateAvulso(long id, AvulsoCommand avulso) => _charges.UpdateAvulso(id, avulso);

    public Task<CommandResult> DeleteAvulso(long id) => _charges.DeleteAvulso(id);

    public Task<CommandResult> SetAvulsoAttachment(long id, UploadedFile file) => _charges.SetAvulsoAttachment(id, file);

    // ---------------------------------------------------------------- billings

    public Task<BillOutcome> Bill(BillCommand command) => _runs.Bill(command, MaxAhead);

    public Task<CommandResult> Cancel(long billingId, string reason, string actor) => _runs.Cancel(billingId, reason, actor);

    public Task<AttachmentAdded> AddAttachment(long billingId, UploadedFile file, string actor) => _runs.AddAttachment(billingId, file, actor);

    public Task<long> QueueReportEmail(long billingId, ReportEmail email, string actor) => _runs.QueueReportEmail(billingId, email, actor);
}
