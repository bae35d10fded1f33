using Billing.GrainInterfaces.Common;
using System.Globalization;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// Ligações efetuadas / recebidas of this circuit, or of another circuit of the same customer (<c>?circuito=</c>, the
/// links of Fatura em Aberto; another customer's circuit is 403): filters by day range and number, 50 per page.
/// </summary>
public sealed class LigacoesModel(PortalData data, Billing.Api.Application.PortalService portal) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Faturas;

    [FromRoute] public string Tipo { get; set; } = "efetuadas";
    [FromQuery(Name = "de")] public string? DeText { get; set; }
    [FromQuery(Name = "ate")] public string? AteText { get; set; }
    [FromQuery(Name = "numero")] public string? Numero { get; set; }
    [FromQuery(Name = "pagina")] public int? Pagina { get; set; }
    [FromQuery(Name = "circuito")] public string? Circuito { get; set; }

    /// <summary>The circuit whose calls are listed: the session's, or another of its customer's.</summary>
    public string Shown { get; private set; } = "";
    public string ShownName { get; private set; } = "";

    public bool Inbound => Tipo == "recebidas";
    public string? Error { get; private set; }
    public PortalCallPage Result { get; private set; } = new([], 1, PortalData.CallsPageSize, 0);

    private static DateOnly? Day(string? s, out bool bad)
    {
        bad = false;
        if (string.IsNullOrWhiteSpace(s)) return null;
        if (DateOnly.TryParseExact(s.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        bad = true;
        return null;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Shown = Account;
        ShownName = Circuit.Data.Name;
        if (!string.IsNullOrEmpty(Circuito) && Circuito != Account)
        {
            if (await portal.CircuitOfCustomer(Circuito, Circuit.Data.CustomerId) is not { } other) return Forbidden();
            Shown = Circuito;
            ShownName = other.Data.Name;
        }
        var from = Day(DeText, out var badFrom);
        var to = Day(AteText, out var badTo);
        var today = SaoPauloTime.Today(data.Clock);
        if (badFrom || badTo) Error = "Data inválida: use o seletor de data (dd/mm/aaaa).";
        else if (from is { } f && InputRules.Day(f, today, futureYears: 1) is { } badDe) Error = "De: " + badDe;
        else if (to is { } t && InputRules.Day(t, today, futureYears: 1) is { } badAte) Error = "Até: " + badAte;
        else if (from > to) Error = "A data inicial é posterior à final.";
        // a date the form cannot produce (typed into the URL) is the request's fault: 400, with the page and its message
        if (Error is not null) Response.StatusCode = StatusCodes.Status400BadRequest;
        var digits = new string((Numero ?? "").Where(char.IsAsciiDigit).Take(20).ToArray());
        var page = Math.Clamp(Pagina ?? 1, 1, 100_000);
        if (Error is not null) return Page();
        Result = await data.CallsAsync(Shown, Inbound, from, to, digits, page, ct);
        return Page();
    }

    /// <summary>The other list (efetuadas ↔ recebidas) of the same circuit.</summary>
    public string TypeLink(string tipo) =>
        "/portal/ligacoes/" + tipo + (Shown == Account ? "" : "?circuito=" + Uri.EscapeDataString(Shown));

    public string PageLink(int page)
    {
        var q = new List<string>();
        if (Shown != Account) q.Add("circuito=" + Uri.EscapeDataString(Shown));
        if (!string.IsNullOrEmpty(DeText)) q.Add("de=" + Uri.EscapeDataString(DeText));
        if (!string.IsNullOrEmpty(AteText)) q.Add("ate=" + Uri.EscapeDataString(AteText));
        if (!string.IsNullOrEmpty(Numero)) q.Add("numero=" + Uri.EscapeDataString(Numero));
        q.Add("pagina=" + page.ToString(CultureInfo.InvariantCulture));
        return "/portal/ligacoes/" + Tipo + "?" + string.Join('&', q);
    }
}
