using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>
/// Circuitos: 50 per page, search, customer and status filters (<see cref="CircuitQueries"/>, the query of GET /api/circuits),
/// and the toolbar actions on the selected rows: Excluir Circuitos and Configurar Fatura (<see cref="CircuitService"/>).
/// </summary>
public sealed class IndexModel(LookupQueries lookups, CircuitQueries circuits, CircuitService service, PlanQueries plans) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    /// <summary>"baixo": only circuits whose available balance is below their highest low-balance threshold.</summary>
    [BindProperty(SupportsGet = true, Name = "saldo")]
    public string? Saldo { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    /// <summary>The rows ticked in the list (their checkboxes post here).</summary>
    [BindProperty(Name = "selecionados")]
    public List<string> Selecionados { get; set; } = [];

    [BindProperty]
    public InvoiceSettingsForm Fatura { get; set; } = new();

    public PagedResult<CircuitListItem>? Result { get; private set; }

    public Dictionary<long, string> CustomerNames { get; private set; } = [];

    /// <summary>Plan id → name of the plans on this page (the list shows the name).</summary>
    public Dictionary<string, string> PlanNames { get; private set; } = [];

    /// <summary>Circuits a bulk action could not change, with why (shown under the toolbar).</summary>
    public IReadOnlyList<CircuitOutcome> Failures { get; private set; } = [];

    /// <summary>Which toolbar dialog opens again when its form came back with errors.</summary>
    public string? OpenDialog { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var status = string.IsNullOrWhiteSpace(Status) ? null : Status;
        if (status is not null && status is not ("ativo" or "bloqueado"))
        {
            Errors["status"] = ["Use 'ativo' ou 'bloqueado'."];
            Problem = "Corrija os campos indicados.";
            return;
        }
        Result = await circuits.List(Busca, Cliente, status, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct, Saldo == "baixo");
        CustomerNames = await lookups.CustomerNamesAsync(Result.Items.Select(i => i.CustomerId).Append(Cliente ?? 0), ct);
        PlanNames = await plans.Names(Result.Items.Select(i => i.PlanId), ct);
    }

    /// <summary>Excluir Circuitos: each selected circuit is deleted on its own (one with calls in progress or open invoices stays).</summary>
    public async Task<IActionResult> OnPostExcluirAsync(CancellationToken ct)
    {
        var r = await service.DeleteMany(Selecionados, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            await LoadAsync(ct);
            return Page();
        }
        var done = r.Value!.Count(o => o.Ok);
        Failures = r.Value!.Where(o => !o.Ok).ToList();
        if (Failures.Count == 0)
        {
            Flash = done == 1 ? "1 circuito excluído." : $"{done} circuitos excluídos.";
            return Redirect(ListUrl());
        }
        Problem = $"{done} excluído(s); {Failures.Count} não puderam ser excluídos.";
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The list with the filters and page it was posted from.</summary>
    private string ListUrl()
    {
        var q = new Dictionary<string, string?>();
        if (!string.IsNullOrWhiteSpace(Busca)) q["busca"] = Busca;
        if (Cliente is { } c) q["cliente"] = c.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(Status)) q["status"] = Status;
        if (Saldo == "baixo") q["saldo"] = Saldo;
        if (Pagina > 1) q["pagina"] = Pagina.ToString(CultureInfo.InvariantCulture);
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/admin/circuitos", q);
    }

    /// <summary>Configurar Fatura on the selected circuits (blank fields keep each circuit's own value).</summary>
    public async Task<IActionResult> OnPostFaturaAsync(CancellationToken ct)
    {
        var settings = Fatura.ToSettings(Errors);
        if (settings is null)
        {
            Problem = "Corrija os campos indicados.";
            OpenDialog = "dialogo-fatura";
            await LoadAsync(ct);
            return Page();
        }
        var r = await service.ConfigureInvoice(Selecionados, settings, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            OpenDialog = Errors.Keys.Any(k => k.StartsWith("invoice", StringComparison.Ordinal)) ? "dialogo-fatura" : null;
            await LoadAsync(ct);
            return Page();
        }
        var done = r.Value!.Count(o => o.Ok);
        Failures = r.Value!.Where(o => !o.Ok).ToList();
        if (Failures.Count == 0)
        {
            Flash = "Fatura configurada em " + done.ToString(CultureInfo.InvariantCulture) + (done == 1 ? " circuito." : " circuitos.");
            return Redirect(ListUrl());
        }
        Problem = $"Fatura configurada em {done}; {Failures.Count} não puderam ser alterados.";
        await LoadAsync(ct);
        return Page();
    }
}

/// <summary>The Configurar Fatura dialog of the list: numbers as text (blank = keep).</summary>
public sealed class InvoiceSettingsForm
{
    public string? ClosingDay { get; set; }
    public string? DueDays { get; set; }
    public string? MonthlyFee { get; set; }

    public InvoiceSettings? ToSettings(Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        int? closing = null, due = null;
        if (!string.IsNullOrWhiteSpace(ClosingDay))
        {
            if (int.TryParse(ClosingDay.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var d)) closing = d;
            else errors["invoice.closingDay"] = ["Informe um dia de 1 a 28."];
        }
        if (!string.IsNullOrWhiteSpace(DueDays))
        {
            if (int.TryParse(DueDays.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var d)) due = d;
            else errors["invoice.dueDays"] = ["Informe um número de dias de 0 a 90."];
        }
        if (!AdminLookups.TryMoney(MonthlyFee, out var fee)) errors["invoice.monthlyFee"] = ["Informe um valor como 49,90."];
        return errors.Count > 0 ? null : new InvoiceSettings(closing, due, fee);
    }
}
