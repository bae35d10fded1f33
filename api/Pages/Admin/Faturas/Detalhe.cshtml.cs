using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Faturas;

/// <summary>One invoice: data, downloads, status change (confirmation dialog, customer notification on by default), discard, history.</summary>
public sealed class DetalheModel(IClusterClient cluster, NpgsqlDataSource db) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public long Id { get; set; }

    [BindProperty]
    public string? NovoStatus { get; set; }

    /// <summary>"Enviar e-mail de notificação ao cliente": the checkbox is checked by default; unchecked posts nothing.</summary>
    [BindProperty]
    public bool Notificar { get; set; }

    public InvoiceResponse? Invoice { get; private set; }

    public IReadOnlyList<InvoiceHistoryItem> History { get; private set; } = [];

    public string? CustomerName { get; private set; }

    public IEnumerable<string> NextStatuses =>
        Invoice is null ? [] : InvoiceStatus.All.Where(s => InvoiceStatus.TransitionProblem(Invoice.Status, s) is null);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notificar = true;
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Invoice = ApiResults.Value<InvoiceResponse>(await InvoicesApi.Get(Id, cluster));
        if (Invoice is null) return false;
        History = ApiResults.Value<List<InvoiceHistoryItem>>(await InvoicesApi.History(Id, db, ct)) ?? [];
        CustomerName = (await AdminLookups.CustomerNamesAsync(db, [Invoice.CustomerId], ct)).GetValueOrDefault(Invoice.CustomerId);
        return true;
    }

    public async Task<IActionResult> OnPostStatusAsync(CancellationToken ct)
    {
        var r = await InvoicesApi.ChangeStatus(Id, new StatusRequest(NovoStatus, Notificar), cluster, HttpContext);
        if (!Absorb(r))
        {
            if (!await LoadAsync(ct)) return NotFound();
            return Page();
        }
        var inv = ApiResults.Value<InvoiceResponse>(r)!;
        // the grain records whether a notification was really queued (a customer without e-mail gets none)
        var last = (ApiResults.Value<List<InvoiceHistoryItem>>(await InvoicesApi.History(Id, db, ct)) ?? []).LastOrDefault();
        Flash = $"Status da fatura alterado para {inv.Status}" + (last switch
        {
            { Notify: true } => "; o cliente será notificado por e-mail.",
            { Detail: { Length: > 0 } d } when Notificar => ". " + d,
            _ => " (sem e-mail ao cliente).",
        });
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDescartarAsync(CancellationToken ct)
    {
        var r = await InvoicesApi.Discard(Id, cluster, HttpContext);
        if (!Absorb(r))
        {
            if (!await LoadAsync(ct)) return NotFound();
            return Page();
        }
        Flash = "Rascunho descartado.";
        return Redirect("/admin/faturas");
    }

    public async Task<IActionResult> OnGetDocumentoAsync(string tipo)
    {
        InvoiceDocumentKind? kind = tipo switch
        {
            "pdf" => InvoiceDocumentKind.Pdf,
            "csv" => InvoiceDocumentKind.Csv,
            "csv-detalhado" => InvoiceDocumentKind.CsvDetailed,
            "imprimir" => InvoiceDocumentKind.Print,
            _ => null,
        };
        return kind is null ? NotFound() : new HttpResultAction(await InvoicesApi.Document(Id, kind.Value, cluster));
    }
}
