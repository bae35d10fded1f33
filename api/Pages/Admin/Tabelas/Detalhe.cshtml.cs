using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Tabelas;

/// <summary>
/// One rate deck: its rows of the version in force, 50 per page, searched by prefix; its imports (versões); the CSV of
/// the version in force (imports back unchanged); and the import of a new version.
/// </summary>
public sealed class DetalheModel(RateDeckService decks, RateDeckQueries queries) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "prefixo")]
    public string? Prefixo { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    [BindProperty]
    public string? Nome { get; set; }

    [BindProperty]
    public IFormFile? Arquivo { get; set; }

    public RateDeckResponse? Deck { get; private set; }

    public IReadOnlyList<RateDeckVersionItem> Versions { get; private set; } = [];

    public IReadOnlyList<string> LineErrors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var search = Prefixo?.Trim().TrimStart('+');
        if (search is { Length: > 0 } && !search.All(char.IsAsciiDigit))
        {
            Errors["prefix"] = ["O prefixo tem só dígitos."];
            search = null;
        }
        Deck = await queries.Rows(Id, search is { Length: > 0 } ? search : null, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        if (Deck is null) return false;
        Versions = await queries.Versions(Id, ct);
        return true;
    }

    /// <summary>The version in force as CSV (<see cref="RateDeckQueries.Csv"/>).</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (await queries.Csv(Id, ct) is not { } csv) return NotFound();
        return File(csv.Csv, "text/csv; charset=utf-8", $"tabela-{csv.Deck.Id}-v{csv.Deck.Version}.csv");
    }

    /// <summary>Imports a CSV as the deck's next version; a refused file changes nothing.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await queries.Find(Id, ct) is null) return NotFound();
        var result = await DeckUpload.ImportAsync(decks, Id, Nome, Arquivo, ct);
        if (Absorb(result))
        {
            var r = result.Value!;
            Flash = $"Versão {r.Version} importada: {AdminHtml.Number(r.Rows)} prefixos.";
            return Redirect("/admin/tabelas/" + Uri.EscapeDataString(Id));
        }
        LineErrors = DeckUpload.LineErrors(result);
        if (LineErrors.Count > 0)
        {
            Errors.Remove("file");
            Problem = result.Message;
        }
        await LoadAsync(ct);
        return Page();
    }
}
