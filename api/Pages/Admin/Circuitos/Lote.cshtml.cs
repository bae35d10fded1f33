using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>"Novo Lote": many circuits with the same settings, by list or range (<see cref="CircuitService.Batch"/>, as POST /api/circuits/batch: all or none).</summary>
public sealed class LoteModel(CircuitService circuits, LookupQueries lookups) : AdminPageModel
{
    [BindProperty]
    public string? Lista { get; set; }

    [BindProperty]
    public long? De { get; set; }

    [BindProperty]
    public long? Ate { get; set; }

    [BindProperty]
    public CircuitForm Input { get; set; } = new();

    public IReadOnlyList<(string Id, string Name)> Plans { get; private set; } = [];

    /// <summary>Errors of single accounts (accounts[i]) and of the range, listed under the accounts.</summary>
    public IEnumerable<string> AccountErrors =>
        Errors.Where(e => e.Key.StartsWith("accounts", StringComparison.Ordinal) || e.Key == "range" || e.Key == "settings")
            .SelectMany(e => e.Value);

    public async Task OnGetAsync(long? cliente, CancellationToken ct)
    {
        Input.CustomerId = cliente;
        Plans = await lookups.PlansAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        Plans = await lookups.PlansAsync(ct);
        var settings = Input.ToRequest(Errors);
        if (settings is null)
        {
            Problem = "Corrija os campos indicados.";
            return Page();
        }
        var accounts = (Lista ?? "").Split(['\n', ',', ';', ' ', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var body = new BatchRequest(accounts.Length > 0 ? accounts : null, accounts.Length > 0 ? null : new BatchRange(De, Ate), settings);
        var r = await circuits.Batch(body, CommandResults.Actor(HttpContext), ct);
        if (!Absorb(r)) return Page();
        Flash = "Lote criado.";
        return Redirect(Input.CustomerId is { } c ? "/admin/circuitos?cliente=" + AdminHtml.Inv(c) : "/admin/circuitos");
    }
}
