using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>
/// Pending billing ("faturamentos pendentes"), key <see cref="Key"/>: owner of <c>billing_contracts</c>,
/// <c>billing_avulsos</c>, <c>billing_pending_items</c>, <c>billing_records</c>, <c>billing_record_items</c>,
/// <c>billing_history</c>, <c>billing_attachments</c>, and of the billing rows it adds to the e-mail outbox and the
/// webhook outbox. Stateless: each command is one PostgreSQL transaction with the rows it changes locked
/// (<c>FOR UPDATE</c>), so an item is billed by at most one live billing whichever activation runs it. Input is
/// validated by the caller (the API answers 400 first); what only the locked rows can tell comes back as a status.
/// </summary>
[Alias("Billing.IPendingBillingGrain")]
public interface IPendingBillingGrain : IGrainWithStringKey
{
    public const string Key = "billing";

    /// <summary>
    /// The unbilled items matching the filter, amounts computed now (circuit usage from the ledger, fees from the circuit
    /// / DID). Writes nothing: contract periods without a row are computed from their contract and listed under their
    /// <see cref="ContractPeriodIds">period id</see>, which <see cref="Bill"/> accepts (it stores the row then).
    /// </summary>
    [Alias("Pending")]
    Task<IReadOnlyList<PendingItem>> Pending(PendingFilter filter);

    [Alias("CreateContract")]
    Task<long> CreateContract(ContractCommand contract);

    /// <summary>Changes a contract; periods not yet billed are re-created from the new schedule. False when not found.</summary>
    [Alias("UpdateContract")]
    Task<bool> UpdateContract(long id, ContractCommand contract);

    /// <summary>Deletes a contract: Conflict while any of its periods is billed.</summary>
    [Alias("DeleteContract")]
    Task<CommandResult> DeleteContract(long id);

    [Alias("CreateAvulso")]
    Task<long> CreateAvulso(AvulsoCommand avulso);

    /// <summary>Changes an unbilled avulso (its customer never changes): NotFound, or Conflict while billed.</summary>
    [Alias("UpdateAvulso")]
    Task<CommandResult> UpdateAvulso(long id, AvulsoCommand avulso);

    [Alias("DeleteAvulso")]
    Task<CommandResult> DeleteAvulso(long id);

    /// <summary>Sets (or replaces) the one attachment of an unbilled avulso.</summary>
    [Alias("SetAvulsoAttachment")]
    Task<CommandResult> SetAvulsoAttachment(long id, UploadedFile file);

    /// <summary>Bills items of one customer (idempotent by <see cref="BillCommand.IdempotencyKey"/>).</summary>
    [Alias("Bill")]
    Task<BillOutcome> Bill(BillCommand command);

    /// <summary>Reversal ("estorno"): the billing becomes CANCELADO and its items pending again.</summary>
    [Alias("Cancel")]
    Task<CommandResult> Cancel(long billingId, string reason, string actor);

    /// <summary>Adds an attachment to a live billing (recorded in its history).</summary>
    [Alias("AddAttachment")]
    Task<AttachmentAdded> AddAttachment(long billingId, UploadedFile file, string actor);

    /// <summary>Queues the report e-mail in the outbox (the silos' sender delivers it) and records it in the billing's history.</summary>
    [Alias("QueueReportEmail")]
    Task<long> QueueReportEmail(long billingId, ReportEmail email, string actor);
}
