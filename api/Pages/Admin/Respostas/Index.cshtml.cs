using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Respostas;

/// <summary>The portal's "Resposta" messages of every circuit, newest first, 50 per page; the operator marks them read.</summary>
public sealed class IndexModel(PortalQueries queries, PortalService portal) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "naoLidas")]
    public bool NaoLidas { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public IReadOnlyList<AdminReplyItem> Items { get; private set; } = [];

    public Paginacao Paginas { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        Pagina = Math.Clamp(Pagina, 1, 100_000);
        var (items, total) = await queries.AdminRepliesAsync(NaoLidas, Pagina, ct);
        Items = items;
        Paginas = new Paginacao(Pagina, (total + PortalQueries.RepliesPageSize - 1) / PortalQueries.RepliesPageSize, total, items.Count, Request.Query);
    }

    public async Task<IActionResult> OnPostLidaAsync([FromForm] string? conta, [FromForm] long id, CancellationToken ct)
    {
        var r = await portal.MarkReplyRead(conta, id, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            await LoadAsync(ct);
            return Page();
        }
        Flash = $"Resposta \"{r.Value!.Subject}\" do circuito {r.Value.Account} marcada como lida.";
        return RedirectToPage(new { naoLidas = NaoLidas ? "true" : null });
    }
}
