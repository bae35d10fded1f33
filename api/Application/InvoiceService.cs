using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;

namespace Billing.Api.Application;

/// <summary>What an admin (form or REST) sends to issue a credit note on an invoice.</summary>
public sealed record IssueCreditNoteRequest(decimal? Amount, string? Reason, string? IdempotencyKey);

/// <summary>
/// One invoice's commands, shared by <c>/api/invoices/{id}</c> and the admin invoice page (<c>/admin/faturas/{id}</c>):
/// status change, discard, documents and credit notes. Validates first (the grain validates again), then one call to
/// the invoice grain, which owns the invoice and its credit notes. Answers <see cref="CommandResult{T}"/>.
/// </summary>
public sealed class InvoiceService(IClusterClient grains)
{
    public Task<InvoiceView?> Get(long id) => grains.Invoice(id).Get();

    /// <summary>RASCUNHO → ABERTO → FECHADO, or → ANULADO (the grain refuses the rest with the reason).</summary>
    public async Task<CommandResult<InvoiceView>> ChangeStatus(long id, string? status, bool notifyCustomer, string actor)
    {
        if (string.IsNullOrWhiteSpace(status))
            return CommandResult<InvoiceView>.Invalid("status", "Informe o novo status: ABERTO, FECHADO ou ANULADO.");
        var s = status.Trim().ToUpperInvariant();
        if (!InvoiceStatus.IsValid(s))
            return CommandResult<InvoiceView>.Invalid("status", $"Status '{status}' desconhecido: use RASCUNHO, ABERTO, FECHADO ou ANULADO.");
        var r = await grains.Invoice(id).ChangeStatus(s, notifyCustomer, actor);
        return r.Result.IsOk ? CommandResult<InvoiceView>.Ok(r.Invoice!) : CommandResult<InvoiceView>.From(r.Result);
    }

    /// <summary>Deletes a draft; answers its id.</summary>
    public async Task<CommandResult<long>> Discard(long id, string actor)
    {
        var r = await grains.Invoice(id).Discard(actor);
        return r.IsOk ? CommandResult<long>.Ok(id) : CommandResult<long>.From(r);
    }

    /// <summary>PDF, CSV, detailed CSV or print view; null when the invoice does not exist.</summary>
    public Task<InvoiceDocument?> Document(long id, InvoiceDocumentKind kind) => grains.Invoice(id).Render(kind);

    /// <summary>
    /// A credit note on an ABERTO or FECHADO invoice: amount &gt; 0 with at most 2 decimals, a reason and an idempotency key
    /// (the same key again answers the same note with <see cref="CreditNoteResult.Duplicate"/>).
    /// </summary>
    public async Task<CommandResult<CreditNoteResult>> IssueCreditNote(long id, IssueCreditNoteRequest input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = CreditNotes.Validate(input.Amount, input.Reason, input.IdempotencyKey);
        if (errors.Count > 0) return CommandResult<CreditNoteResult>.Invalid(errors);
        return await grains.Invoice(id).IssueCreditNote(
            new CreditNoteRequest(input.Amount!.Value, input.Reason!.Trim(), input.IdempotencyKey!.Trim()), actor);
    }

    /// <summary>The PDF of a credit note of the invoice; null when either does not exist.</summary>
    public Task<InvoiceDocument?> CreditNotePdf(long invoiceId, long creditNoteId) => grains.Invoice(invoiceId).RenderCreditNote(creditNoteId);
}
