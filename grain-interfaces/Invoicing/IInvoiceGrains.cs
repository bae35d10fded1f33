using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Invoicing;

/// <summary>
/// One invoice, key <c>inv:&lt;id&gt;</c>. The record is the <c>invoices</c> row (PostgreSQL); the grain
/// serializes commands on it. Every transition is written with its history row, its document number
/// (taken from the issuer's gap-free counter when leaving RASCUNHO) and its notification e-mail (outbox)
/// in one transaction.
/// </summary>
[Alias("Billing.IInvoiceGrain")]
public interface IInvoiceGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<InvoiceView?> Get();

    /// <summary>RASCUNHO → ABERTO → FECHADO, or → ANULADO; anything else is a Conflict with the reason.</summary>
    [Alias("ChangeStatus")]
    Task<StatusChangeResult> ChangeStatus(string status, bool notifyCustomer, string actor);

    /// <summary>Deletes a draft (Conflict for issued invoices: void them instead).</summary>
    [Alias("Discard")]
    Task<CommandResult> Discard(string actor);

    /// <summary>PDF, CSV, detailed CSV or print HTML; null when the invoice does not exist.</summary>
    [Alias("Render")]
    Task<InvoiceDocument?> Render(InvoiceDocumentKind kind);

    /// <summary>
    /// Records that the customer paid the (issued, not voided) invoice: once. The same <see cref="InvoicePayment.Key"/>
    /// again answers the recorded payment (idempotent); another key on a paid invoice is a Conflict; an amount other
    /// than the total is Invalid (<c>amount</c>); an unknown invoice NotFound.
    /// </summary>
    [Alias("RecordPayment")]
    Task<CommandResult<InvoiceView>> RecordPayment(InvoicePayment payment, string actor);

    /// <summary>
    /// Issues a credit note (nota de crédito) on this ABERTO or FECHADO invoice, which is never edited: the note gets the
    /// next number of the issuer's own gap-free sequence in the transaction that stores it, and the sum of the invoice's
    /// notes never exceeds its total (Conflict). Postpaid circuit: the circuit's next invoice deducts it; prepaid: the
    /// circuit's balance is credited through the ledger. The same <see cref="CreditNoteRequest.IdempotencyKey"/> again
    /// answers the same note (<see cref="CreditNoteResult.Duplicate"/>); another status is a Conflict; unknown NotFound.
    /// </summary>
    [Alias("IssueCreditNote")]
    Task<CommandResult<CreditNoteResult>> IssueCreditNote(CreditNoteRequest request, string actor);

    /// <summary>The PDF of one of this invoice's credit notes; null when either does not exist.</summary>
    [Alias("RenderCreditNote")]
    Task<InvoiceDocument?> RenderCreditNote(long creditNoteId);

    /// <summary>
    /// Makes the ledger credit of every prepaid note of this invoice whose credit is still missing (the silo failed
    /// between storing the note and crediting the circuit); the note's ledger key keeps it to once. Answers how many
    /// were credited now. Called by the invoice's own retry timer and by the circuit's daily scheduler tick.
    /// </summary>
    [Alias("SettleLedgerCredits")]
    Task<int> SettleLedgerCredits();
}

/// <summary>
/// Period close of one circuit, key <c>invsched:&lt;account&gt;</c>: a reminder due at the circuit's next
/// closing instant (America/Sao_Paulo), then daily, generates the just-closed period's draft and
/// regenerates the circuit's drafts (late CDRs). Also generates on demand.
/// </summary>
[Alias("Billing.IInvoiceSchedulerGrain")]
public interface IInvoiceSchedulerGrain : IGrainWithStringKey
{
    /// <summary>Registers (or moves) the reminder for the circuit's closing day. Idempotent.</summary>
    [Alias("Schedule")]
    Task Schedule(int closingDay);

    /// <summary>Creates or recomputes the period's draft; never touches an issued invoice.</summary>
    [Alias("Generate")]
    Task<GenerateOutcome> Generate(string period, string actor);

    /// <summary>What one reminder tick does (close the last period, refresh drafts); for the reminder and tests.</summary>
    [Alias("Tick")]
    Task<IReadOnlyList<GenerateOutcome>> Tick();

    /// <summary>When the next tick is due (null when not scheduled).</summary>
    [Alias("NextDue")]
    Task<DateTimeOffset?> NextDue();

    /// <summary>
    /// The PDF of the open (not yet closed) period as it stands now — the calls already rated, the monthly fee and the
    /// DID fees — marked <see cref="InvoiceStatus.Parcial"/>. Writes nothing. Null when the circuit does not exist.
    /// </summary>
    [Alias("RenderOpen")]
    Task<InvoiceDocument?> RenderOpen();
}

public static class InvoiceKeys
{
    public static string For(long id) => "inv:" + id.ToString(CultureInfo.InvariantCulture);

    public static IInvoiceGrain Invoice(this IGrainFactory grains, long id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IInvoiceGrain>(For(id));
    }

    public static IInvoiceSchedulerGrain InvoiceScheduler(this IGrainFactory grains, string account)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IInvoiceSchedulerGrain>("invsched:" + account);
    }
}
