using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Grains.Invoicing;

/// <summary>
/// Period close of one circuit (<c>invsched:&lt;account&gt;</c>). Its reminder (AdoNet reminder service) is due at
/// the circuit's next closing instant in America/Sao_Paulo and then ticks daily: each tick generates the draft
/// of the last closed period (unless that period already had an invoice that was voided or discarded) and
/// regenerates the circuit's other drafts, so late CDRs land in the draft of their period; a late CDR of an
/// already issued period goes to the next invoice instead (see <see cref="InvoiceStore.GenerateAsync"/>).
/// </summary>
public sealed class InvoiceSchedulerGrain(InvoiceStore store, CreditNoteStore notes, TimeProvider clock, IOptions<InvoiceOptions> options,
    ILogger<InvoiceSchedulerGrain> log) : Grain, IInvoiceSchedulerGrain, IRemindable
{
    public const string ReminderName = "period-close";
    private string Account => this.GetPrimaryKeyString()["invsched:".Length..];

    public async Task Schedule(int closingDay)
    {
        var now = clock.GetUtcNow();
        var due = InvoicePeriods.NextClose(now, closingDay) + TimeSpan.FromMinutes(1) - now;
        await this.RegisterOrUpdateReminder(ReminderName, due, TimeSpan.FromDays(1));
    }

    public async Task<DateTimeOffset?> NextDue()
    {
        if (await this.GetReminder(ReminderName) is null) return null;
        var circuit = await GrainFactory.Circuit(Account).Get();
        return circuit is null ? null : InvoicePeriods.NextClose(clock.GetUtcNow(), circuit.Data.Invoice.ClosingDay);
    }

    public async Task<GenerateOutcome> Generate(string period, string actor)
    {
        var circuit = await GrainFactory.Circuit(Account).Get();
        if (circuit is null) return new GenerateOutcome(Account, period, null, "skipped", null, null, $"Circuito {Account} não encontrado.");
        return await store.GenerateAsync(Account, circuit.Data, period, options.Value.Issuer, actor, clock.GetUtcNow(), onlyIfNone: false);
    }

    public async Task<InvoiceDocument?> RenderOpen()
    {
        var circuit = await GrainFactory.Circuit(Account).Get();
        if (circuit is null) return null;
        var now = clock.GetUtcNow();
        var period = Billing.GrainInterfaces.Common.BillingPeriod.Of(now, circuit.Data.Invoice.ClosingDay).Key;
        var (invoice, calls) = await store.PreviewAsync(Account, circuit.Data, period, now);
        var customer = InvoiceEmails.ToInvoiceCustomer(invoice.CustomerId, await GrainFactory.Customer(invoice.CustomerId).Get());
        return Documents.InvoiceDocuments.Render(InvoiceDocumentKind.Pdf, invoice, customer, calls);
    }

    public async Task<IReadOnlyList<GenerateOutcome>> Tick()
    {
        var circuit = await GrainFactory.Circuit(Account).Get();
        if (circuit is null)
        {
            if (await this.GetReminder(ReminderName) is { } r) await this.UnregisterReminder(r);
            return [];
        }
        var now = clock.GetUtcNow();
        var closed = InvoicePeriods.LastClosed(now, circuit.Data.Invoice.ClosingDay);
        var results = new List<GenerateOutcome>
        {
            await store.GenerateAsync(Account, circuit.Data, closed, options.Value.Issuer, "fechamento automático", now, onlyIfNone: true),
        };
        foreach (var period in await store.DraftPeriodsAsync(Account))
            if (period != closed)
                results.Add(await store.GenerateAsync(Account, circuit.Data, period, options.Value.Issuer, "fechamento automático", now, onlyIfNone: false));
        // prepaid credit notes whose ledger credit a failure left pending (the invoice grain owns the retry)
        foreach (var invoiceId in (await notes.LedgerPendingAsync(null, Account)).Select(n => n.InvoiceId).Distinct())
            await GrainFactory.Invoice(invoiceId).SettleLedgerCredits();
        return results;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        try
        {
            var results = await Tick();
            foreach (var r in results.Where(r => r.Action is "created" or "regenerated"))
                log.LogInformation("Fatura {Action}: circuito {Account} período {Period} total {Total}", r.Action, r.Account, r.Period, r.Total);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogError(e, "Fechamento de período do circuito {Account} falhou; tenta de novo no próximo lembrete", Account);
        }
    }
}

/// <summary>Hook used by the circuit grain on create/update: (re)registers the period-close reminder, never failing the caller.</summary>
public static class InvoiceScheduling
{
    public static async Task TryScheduleAsync(IGrainFactory grains, string account, CircuitData data, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            await grains.InvoiceScheduler(account).Schedule(data.Invoice.ClosingDay);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Não foi possível agendar o fechamento de período do circuito {Account}", account);
        }
    }
}
