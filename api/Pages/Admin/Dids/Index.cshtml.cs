using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Dids;

/// <summary>
/// DIDs: list and filter (number, reseller, circuit, free/assigned; the same query as GET /api/dids) and add one number or
/// a range (through <see cref="DidService"/>, like POST /api/dids).
/// </summary>
public sealed class IndexModel(DidQueries dids, DidService service, ResellerQueries resellers) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "busca")]
    public string? Busca { get; set; }

    [BindProperty(SupportsGet = true, Name = "revenda")]
    public long? Revenda { get; set; }

    [BindProperty(SupportsGet = true, Name = "circuito")]
    public string? Circuito { get; set; }

    /// <summary>"livres", "atribuidos" or empty (all).</summary>
    [BindProperty(SupportsGet = true, Name = "situacao")]
    public string? Situacao { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    /// <summary>"um" (one number) or "faixa" (a range).</summary>
    [BindProperty]
    public string Modo { get; set; } = "um";

    [BindProperty]
    public string? Numero { get; set; }

    [BindProperty]
    public string? De { get; set; }

    [BindProperty]
    public string? Ate { get; set; }

    [BindProperty]
    public long? NovaRevenda { get; set; }

    [BindProperty]
    public string? Mensalidade { get; set; }

    public PagedResult<DidListItem>? Result { get; private set; }

    public IReadOnlyList<(long Id, string Nome)> Resellers { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Resellers = await resellers.Names(ct);
        if (Busca is { Length: > 40 }) Errors["search"] = ["Busca com no máximo 40 caracteres."];
        var account = string.IsNullOrWhiteSpace(Circuito) ? null : Circuito.Trim();
        if (account is not null && !CircuitKeys.IsValidAccount(account)) Errors["account"] = ["Circuito inválido."];
        if (Errors.ContainsKey("search") || Errors.ContainsKey("account")) return;
        bool? assigned = Situacao switch { "livres" => false, "atribuidos" => true, _ => null };
        Result = await dids.List(Busca, Revenda, account, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct, assigned);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!AdminLookups.TryMoney(Mensalidade, out var fee)) Errors["monthlyFee"] = ["Informe um valor como 10,00."];
        if (Errors.Count == 0)
        {
            var range = Modo == "faixa";
            var input = new DidCreateInput(range ? null : Numero ?? "", null, De, Ate, range, NovaRevenda, fee);
            var r = await service.Create(input, CommandResults.Actor(HttpContext));
            if (Absorb(r))
            {
                var created = r.Value!;
                Flash = created.Duplicates.Count == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{created.Created} DID(s) cadastrado(s).")
                    : string.Create(CultureInfo.InvariantCulture, $"{created.Created} DID(s) cadastrado(s); {created.Duplicates.Count} já existiam.");
                var first = created.Numbers[0];
                return Redirect("/admin/dids?busca=" + Uri.EscapeDataString(range ? CommonPrefix(created.Numbers) : first.TrimStart('+')));
            }
        }
        else Problem = "Corrija os campos indicados.";
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The digits every created number starts with (the list then shows the range just added).</summary>
    private static string CommonPrefix(IReadOnlyList<string> numbers)
    {
        var a = numbers[0].TrimStart('+');
        var b = numbers[^1].TrimStart('+');
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return a[..n];
    }
}
