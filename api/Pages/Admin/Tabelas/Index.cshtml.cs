using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Tabelas;

/// <summary>Tabelas de destinos: the rate decks and the import of a new one (CSV, all lines or nothing).</summary>
public sealed class IndexModel(RateDeckService decks, RateDeckQueries queries) : AdminPageModel
{
    [BindProperty]
    public string? Codigo { get; set; }

    [BindProperty]
    public string? Nome { get; set; }

    [BindProperty]
    public IFormFile? Arquivo { get; set; }

    public IReadOnlyList<RateDeckListItem> Decks { get; private set; } = [];

    /// <summary>"Linha 3, coluna price_per_minute: …" for each bad line of a refused CSV.</summary>
    public IReadOnlyList<string> LineErrors { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Decks = await queries.List(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var result = await DeckUpload.ImportAsync(decks, Codigo, Nome, Arquivo, ct);
        if (Absorb(result))
        {
            var r = result.Value!;
            Flash = $"Tabela {r.RateDeckId} importada: versão {r.Version}, {AdminHtml.Number(r.Rows)} prefixos.";
            return Redirect("/admin/tabelas/" + Uri.EscapeDataString(r.RateDeckId));
        }
        LineErrors = DeckUpload.LineErrors(result);
        if (LineErrors.Count > 0)
        {
            Errors.Remove("file"); // listed line by line below the field
            Problem = result.Message;
        }
        Decks = await queries.List(ct);
        return Page();
    }
}
