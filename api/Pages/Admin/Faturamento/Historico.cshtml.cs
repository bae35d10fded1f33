using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>
/// Histórico de faturamentos: by NFe number, billing-date range and customer, 50 per page; each billing with its items,
/// its attachments (download links), the report PDFs in the four kinds, "Enviar PDF por e-mail" (address + report type,
/// through the e-mail outbox) and "Estornar" (cancel with a reason, behind a confirmation).
/// </summary>
public sealed class HistoricoModel(BillingService billing, BillingQueries queries) : AdminPageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "nfe")]
    public string? Nfe { get; set; }

    [BindProperty(SupportsGet = true, Name = "de")]
    public string? De { get; set; }

    [BindProperty(SupportsGet = true, Name = "ate")]
    public string? Ate { get; set; }

    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public PagedResult<BillingListItem>? Result { get; private set; }

    /// <summary>Each listed billing with its items and history (GET /api/billing/{id}).</summary>
    public Dictionary<long, BillingResponse> Details { get; } = [];

    /// <summary>The billing whose "Estornar" failed (its dialog opens again with the error and the reason typed).</summary>
    public long? EstornoId { get; private set; }

    public string? Motivo { get; private set; }

    /// <summary>The billing whose "Enviar PDF por e-mail" failed (its form opens again with the error and what was typed).</summary>
    public long? EmailId { get; private set; }

    public string? EmailPara { get; private set; }

    public string? EmailTipo { get; private set; }

    /// <summary>This page's URL with its filters (where a cancel returns to).</summary>
    public string Self
    {
        get
        {
            var q = new QueryBuilder();
            foreach (var (k, v) in Request.Query)
                if (!k.Equals("handler", StringComparison.OrdinalIgnoreCase))
                    foreach (var s in v) q.Add(k, s ?? "");
            return "/admin/faturamento/historico" + q.ToQueryString().Value;
        }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task LoadAsync(CancellationToken ct)
    {
        var r = await queries.History(De, Ate, Cliente, Nfe, Status, Math.Max(Pagina, 1), PageSize, ct);
        if (!Absorb(r)) return;
        Result = r.Value;
        foreach (var b in Result!.Items)
            if (await queries.Billing(b.Id, ct) is { } full) Details[b.Id] = full;
    }

    public async Task<IActionResult> OnPostEstornarAsync(long id, string? motivo, CancellationToken ct)
    {
        var r = await billing.Cancel(id, motivo, CommandResults.Actor(HttpContext), ct);
        if (!Absorb(r))
        {
            EstornoId = id;
            Motivo = motivo;
            await ReloadKeepingErrorsAsync(ct);
            return Page();
        }
        Flash = $"Faturamento {AdminHtml.Inv(id)} estornado: os itens estão pendentes de novo.";
        return Redirect(Self);
    }

    /// <summary>"Enviar PDF por e-mail": the report of the chosen type, queued in the outbox for the address typed.</summary>
    public async Task<IActionResult> OnPostEmailAsync(long id, string? para, string? tipo, CancellationToken ct)
    {
        var r = await billing.Email(id, para, tipo, CommandResults.LinkBase(Request), CommandResults.Actor(HttpContext), ct);
        if (!Absorb(r))
        {
            EmailId = id;
            EmailPara = para;
            EmailTipo = tipo;
            await ReloadKeepingErrorsAsync(ct);
            return Page();
        }
        Flash = $"Relatório {Billing.GrainInterfaces.PendingBilling.BillingReportKinds.Label(r.Value!.ReportType)} do faturamento {AdminHtml.Inv(id)} " +
                $"na fila de envio para {string.Join(", ", r.Value.Recipients)}.";
        return Redirect(Self);
    }

    private async Task ReloadKeepingErrorsAsync(CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(Errors);
        var problem = Problem;
        await LoadAsync(ct);
        foreach (var (k, v) in errors) Errors[k] = v;
        Problem = problem;
    }

    public async Task<IActionResult> OnGetRelatorioAsync(long id, string? tipo, CancellationToken ct)
    {
        var r = await billing.Report(id, tipo, CommandResults.LinkBase(Request), ct);
        if (!r.IsOk) return new HttpResultAction(r.ToNoContent());
        return File(r.Value!.Content, r.Value.ContentType, r.Value.Name);
    }

    public async Task<IActionResult> OnGetAnexoAsync(long id, long anexo, CancellationToken ct) =>
        await queries.Attachment(id, anexo, ct) is { } f ? File(f.Content, f.ContentType, f.Name) : NotFound();
}
