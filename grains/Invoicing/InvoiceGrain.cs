using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.Registration;
using Billing.Grains.Documents;
using Microsoft.Extensions.Logging;

namespace Billing.Grains.Invoicing;

/// <summary>
/// One invoice (<c>inv:&lt;id&gt;</c>). The <c>invoices</c> row is the record; the grain serializes the commands on
/// it (the row lock and the counter lock make them safe across silos too) and renders its documents.
/// </summary>
public sealed class InvoiceGrain(InvoiceStore store, CreditNoteStore notes, TimeProvider clock, ILogger<InvoiceGrain> log) : Grain, IInvoiceGrain
{
    /// <summary>How soon a failed prepaid ledger credit is tried again while this activation lives (the daily scheduler tick covers the rest).</summary>
    internal static readonly TimeSpan LedgerRetry = TimeSpan.FromSeconds(30);

    private IGrainTimer? _ledgerRetry;

    private long Id => long.Parse(this.GetPrimaryKeyString().AsSpan("inv:".Length), System.Globalization.CultureInfo.InvariantCulture);

    public Task<InvoiceView?> Get() => store.GetAsync(Id);

    public async Task<StatusChangeResult> ChangeStatus(string status, bool notifyCustomer, string actor)
    {
        var current = await store.GetAsync(Id);
        if (current is null) return new(CommandResult.NotFound($"Fatura {Id} não encontrada."), null);
        // the customer as printed is frozen when the invoice leaves RASCUNHO (issued invoices are immutable)
        var customer = await store.CustomerSnapshotAsync(Id)
            ?? InvoiceEmails.ToInvoiceCustomer(current.CustomerId, await GrainFactory.Customer(current.CustomerId).Get());
        var live = notifyCustomer ? await GrainFactory.Customer(current.CustomerId).Get() : null;
        return await store.ChangeStatusAsync(Id, status, notifyCustomer, actor, clock.GetUtcNow(), customer,
            inv => InvoiceEmails.StatusChanged(inv, live));
    }

    public Task<CommandResult> Discard(string actor) => store.DiscardAsync(Id, actor, clock.GetUtcNow());

    public async Task<InvoiceDocument?> Render(InvoiceDocumentKind kind)
    {
        var inv = await store.GetAsync(Id);
        if (inv is null) return null;
        var customer = await store.CustomerSnapshotAsync(Id)
            ?? InvoiceEmails.ToInvoiceCustomer(inv.CustomerId, await GrainFactory.Customer(inv.CustomerId).Get());
        var calls = kind is InvoiceDocumentKind.CsvDetailed or InvoiceDocumentKind.Pdf ? await store.CallsAsync(Id) : [];
        return InvoiceDocuments.Render(kind, inv, customer, calls);
    }

    public async Task<CommandResult<InvoiceView>> RecordPayment(InvoicePayment payment, string actor)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var now = clock.GetUtcNow();
        var errors = InvoicePayments.Validate(payment, now);
        if (errors.Count > 0) return CommandResult<InvoiceView>.Invalid(errors);
        return await store.RecordPaymentAsync(Id, payment, actor, now);
    }

    public async Task<CommandResult<CreditNoteResult>> IssueCreditNote(CreditNoteRequest request, string actor)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = CreditNotes.Validate(request.Amount, request.Reason, request.IdempotencyKey);
        if (errors.Count > 0) return CommandResult<CreditNoteResult>.Invalid(errors);
        var inv = await store.GetAsync(Id);
        if (inv is null) return CommandResult<CreditNoteResult>.NotFound($"Fatura {Id} não encontrada.");
        // how the circuit is billed now decides where the credit goes (a replay keeps the stored note's mode)
        var circuit = await GrainFactory.Circuit(inv.Account).Get();
        var mode = circuit?.Data.BillingMode == BillingMode.Postpaid ? CreditNoteModes.Postpaid : CreditNoteModes.Prepaid;
        var r = await notes.IssueAsync(Id, mode, request, actor, clock.GetUtcNow());
        if (!r.IsOk) return r;
        var (note, duplicate) = (r.Value!.Note, r.Value.Duplicate);
        if (note.Mode == CreditNoteModes.Prepaid && note.LedgerCreditedAt is null)
            note = await CreditLedgerAsync(note, actor);
        else if (note.Mode == CreditNoteModes.Postpaid && !duplicate)
        {
            // drafts of later periods already generated deduct it now instead of at their next daily refresh
            foreach (var period in await store.DraftPeriodsAsync(note.Account))
                if (string.CompareOrdinal(period, note.Period) > 0)
                    await GrainFactory.InvoiceScheduler(note.Account).Generate(period, actor);
        }
        return CommandResult<CreditNoteResult>.Ok(new CreditNoteResult(note, duplicate));
    }

    public async Task<int> SettleLedgerCredits()
    {
        var done = 0;
        foreach (var note in await notes.LedgerPendingAsync(Id, null))
            if ((await CreditLedgerAsync(note, "reprocessamento automático")).LedgerCreditedAt is not null) done++;
        return done;
    }

    /// <summary>
    /// A prepaid note's credit through the circuit's ledger, once: the note's id is the credit's idempotency key, so a
    /// retry after a failure (silo down, timeout) credits what is missing and never twice. The note is already stored
    /// and numbered, so a failure here does not fail the command: the note stays "crédito pendente" and a timer retries
    /// while this activation lives; the circuit's daily scheduler tick retries after that.
    /// </summary>
    private async Task<CreditNoteView> CreditLedgerAsync(CreditNoteView note, string actor)
    {
        try
        {
            var credit = await GrainFactory.Circuit(note.Account).Credit(new CreditRequest(note.Amount,
                $"Nota de crédito {note.DocumentNumber} (fatura {note.InvoiceDocumentNumber})", CreditNoteModes.LedgerKey(note.Id), actor));
            if (credit.Found) return await notes.MarkLedgerCreditedAsync(note.Id, clock.GetUtcNow()) ?? note;
            log.LogWarning("Nota de crédito {Note}: circuito {Account} não encontrado; crédito pendente", note.DocumentNumber, note.Account);
            return note;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Nota de crédito {Note}: crédito no circuito {Account} falhou; nova tentativa em {Retry}",
                note.DocumentNumber, note.Account, LedgerRetry);
            _ledgerRetry ??= this.RegisterGrainTimer(RetryLedgerAsync, LedgerRetry, LedgerRetry);
            return note;
        }
    }

    private async Task RetryLedgerAsync(CancellationToken ct)
    {
        await SettleLedgerCredits();
        if ((await notes.LedgerPendingAsync(Id, null)).Count == 0)
        {
            _ledgerRetry?.Dispose();
            _ledgerRetry = null;
        }
    }

    public async Task<InvoiceDocument?> RenderCreditNote(long creditNoteId)
    {
        var note = await notes.GetAsync(creditNoteId);
        if (note is null || note.InvoiceId != Id) return null;
        var inv = await store.GetAsync(Id);
        if (inv is null) return null;
        var customer = await store.CustomerSnapshotAsync(Id)
            ?? InvoiceEmails.ToInvoiceCustomer(inv.CustomerId, await GrainFactory.Customer(inv.CustomerId).Get());
        return new InvoiceDocument("application/pdf", $"nota-de-credito-{note.DocumentNumber}.pdf", CreditNotePdf.Render(note, inv, customer));
    }
}

/// <summary>The pt-BR notification e-mail of a status change.</summary>
public static class InvoiceEmails
{
    public static InvoiceCustomer ToInvoiceCustomer(long id, CustomerView? c)
    {
        if (c is null) return new InvoiceCustomer { Id = id, Nome = $"Cliente {id}" };
        var d = c.Data;
        var address = string.Join(", ", new[] { d.Logradouro, d.Numero, d.Complemento, d.Bairro, d.Cidade, d.Uf, d.Cep is { Length: 8 } cep ? cep[..5] + "-" + cep[5..] : d.Cep }
            .Where(s => !string.IsNullOrWhiteSpace(s)));
        return new InvoiceCustomer
        {
            Id = c.Id,
            Nome = d.Nome,
            Documento = TaxId.Format(d.Documento),
            RazaoSocial = d.RazaoSocial,
            Endereco = address.Length == 0 ? null : address,
            Emails = c.Contacts.Select(x => x.Email).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e!.Trim())
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
        };
    }

    public static OutboxMessage? StatusChanged(InvoiceView inv, CustomerView? customer)
    {
        ArgumentNullException.ThrowIfNull(inv);
        var c = ToInvoiceCustomer(inv.CustomerId, customer);
        if (c.Emails.Count == 0) return null;
        var subject = $"Fatura {inv.DocumentNumber} - período {BillingPeriod.LabelOf(inv.Period)} - {inv.Status}";
        var body =
            $"""
            Olá, {c.Nome}.

            A fatura {inv.DocumentNumber} do circuito {inv.Account} ({inv.CircuitName}), período {BillingPeriod.LabelOf(inv.Period)}, está agora {inv.Status}.
            Valor total: {PtBr.Money(inv.Content.Total)}
            Vencimento: {PtBr.Date(inv.DueDate)}

            A fatura em PDF segue anexa e está disponível no portal do cliente.
            """;
        return new OutboxMessage("invoice_status", inv.Id, c.Emails, subject, body);
    }
}
