using System.Globalization;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>Fatura em Aberto (live from the circuit grain), Última Fatura, Histórico per year. Drafts never appear.</summary>
public sealed class FaturasModel(PortalData data) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    public string? CustomerName { get; private set; }
    public PortalOpenInvoice Open { get; private set; } = null!;
    public PortalInvoice? Last { get; private set; }
    public IReadOnlyList<string> Years { get; private set; } = [];
    public string Year { get; private set; } = "";
    public IReadOnlyList<PortalInvoice> History { get; private set; } = [];

    public async Task OnGetAsync([FromQuery] string? ano, CancellationToken ct)
    {
        CustomerName = await data.CustomerNameAsync(Circuit.Data.CustomerId, ct);
        Open = await data.OpenInvoiceAsync(Account, Circuit);
        var all = await data.InvoicesAsync(Account, Circuit.Data.CustomerId, ct);
        Last = all.FirstOrDefault(i => i.Status != "ANULADO");
        var current = PortalData.ToSaoPaulo(data.Clock.GetUtcNow()).Year.ToString(CultureInfo.InvariantCulture);
        Years = all.Select(i => i.Period[..4]).Append(current).Distinct(StringComparer.Ordinal).OrderDescending(StringComparer.Ordinal).ToList();
        Year = ano is not null && Years.Contains(ano, StringComparer.Ordinal) ? ano : Years.FirstOrDefault(y => all.Any(i => i.Period.StartsWith(y, StringComparison.Ordinal))) ?? current;
        History = all.Where(i => i.Period.StartsWith(Year, StringComparison.Ordinal)).ToList();
    }
}
