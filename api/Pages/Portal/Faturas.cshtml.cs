using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>One circuit of the customer in Fatura em Aberto: its open period live from its circuit grain.</summary>
public sealed record OpenCircuitRow(string Account, string Name, PortalOpenInvoice Open);

/// <summary>
/// Faturas (seed 001): Fatura em Aberto of every circuit of the logged-in circuit's customer (live from the circuit
/// grains, each with its partial PDF and its calls) and the customer's total; Última Fatura = the customer's last paid
/// invoice; Histórico per year of this circuit. Drafts never appear.
/// </summary>
public sealed class FaturasModel(PortalData data, PortalQueries queries, PortalService portal, InvoiceDetailQueries invoiceQueries) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    public string? CustomerName { get; private set; }
    public IReadOnlyList<OpenCircuitRow> OpenCircuits { get; private set; } = [];
    public decimal OpenTotal => OpenCircuits.Sum(c => c.Open.Total);
    public PortalPaidInvoice? LastPaid { get; private set; }
    public IReadOnlyList<string> Years { get; private set; } = [];
    public string Year { get; private set; } = "";
    public IReadOnlyList<PortalInvoice> History { get; private set; } = [];

    /// <summary>Credit notes of this circuit's invoices (issue 19), newest first.</summary>
    public IReadOnlyList<CreditNoteItem> CreditNotes { get; private set; } = [];

    public async Task OnGetAsync([FromQuery] string? ano, CancellationToken ct)
    {
        var customerId = Circuit.Data.CustomerId;
        CustomerName = await data.CustomerNameAsync(customerId, ct);
        var circuits = (await queries.CustomerCircuitsAsync(customerId, ct)).Select(c => c.Account).ToList();
        if (!circuits.Contains(Account, StringComparer.Ordinal)) circuits.Insert(0, Account); // the read model may lag a move
        // each circuit answers from its own grain (the registration's owner): one moved away meanwhile is left out
        var rows = await Task.WhenAll(circuits.Select(async account =>
        {
            var view = account == Account ? Circuit : await portal.CircuitOfCustomer(account, customerId);
            return view is null ? null : new OpenCircuitRow(account, view.Data.Name, await data.OpenInvoiceAsync(account, view, ct));
        }));
        OpenCircuits = [.. rows.Where(r => r is not null).Select(r => r!).OrderBy(r => r.Account, StringComparer.Ordinal)];
        LastPaid = await queries.LastPaidAsync(customerId, ct);

        var all = await data.InvoicesAsync(Account, customerId, ct);
        var current = PortalData.ToSaoPaulo(data.Clock.GetUtcNow()).Year.ToString(CultureInfo.InvariantCulture);
        Years = all.Select(i => i.Period[..4]).Append(current).Distinct(StringComparer.Ordinal).OrderDescending(StringComparer.Ordinal).ToList();
        Year = ano is not null && Years.Contains(ano, StringComparer.Ordinal) ? ano : Years.FirstOrDefault(y => all.Any(i => i.Period.StartsWith(y, StringComparison.Ordinal))) ?? current;
        History = all.Where(i => i.Period.StartsWith(Year, StringComparison.Ordinal)).ToList();
        CreditNotes = (await invoiceQueries.CustomerCreditNotes(customerId, ct)).Where(n => n.Account == Account).ToList();
    }
}
