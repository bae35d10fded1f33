using Billing.GrainInterfaces.Common;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>
/// Finalização do faturamento: the chosen items of one customer, billing and due dates, discount, interest, NFe number
/// and notes (prefilled with what is billed); "Valor Real" updates in the browser and is recomputed by the server.
/// The form carries an idempotency key generated when it is rendered, so a double submit bills once; the files chosen in
/// "Arquivos" are stored with the billing in the same transaction (<see cref="BillingService.Bill"/>).
/// </summary>
public sealed class FaturarModel(TimeProvider clock, BillingService billing, BillingQueries queries) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "por")]
    public string? Por { get; set; }

    [BindProperty(SupportsGet = true, Name = "data")]
    public string? Data { get; set; }

    [BindProperty(SupportsGet = true, Name = "tipo")]
    public string? Tipo { get; set; }

    [BindProperty(SupportsGet = true, Name = "itens")]
    public List<long> Itens { get; set; } = [];

    /// <summary>"Faturar todos": every item listed under the filters (resolved to their ids, so what is billed is what was seen).</summary>
    [BindProperty(SupportsGet = true, Name = "todos")]
    public bool Todos { get; set; }

    [BindProperty]
    public FinalizacaoInput Input { get; set; } = new();

    /// <summary>"Arquivos": files attached to the billing (NF-e, contract…), kept in its history.</summary>
    [BindProperty]
    public List<IFormFile> Arquivos { get; set; } = [];

    public string CustomerName { get; private set; } = "";

    public IReadOnlyList<PendingItem> Selected { get; private set; } = [];

    public decimal Total => Money.Round(Selected.Sum(i => i.Amount));

    /// <summary>Total − discount + interest as typed (server side; the browser recomputes it while typing).</summary>
    public decimal? ValorReal =>
        AdminLookups.TryMoney(Input.Discount, out var d) && AdminLookups.TryMoney(Input.Interest, out var j)
            ? BillingRules.ValorReal(Total, d ?? 0m, j ?? 0m)
            : null;

    public string BackUrl => "/admin/faturamento" + FaturamentoForm.Filter(Por, Data, Tipo, AdminHtml.Inv(Cliente));

    private bool PorVencimento => Por == "vencimento";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return Page();
        if (!Todos && Itens.Count == 0)
        {
            Problem = "Escolha os itens a faturar ou use Faturar todos.";
            return Page();
        }
        var missing = Itens.Except(Selected.Select(i => i.Id)).ToList();
        if (missing.Count > 0)
            Problem = "Itens não estão mais pendentes (ou não são deste cliente): " + string.Join(", ", missing.Select(AdminHtml.Inv)) +
                      ". Volte à lista e atualize.";
        var today = FaturamentoForm.Today(clock);
        Input = new FinalizacaoInput
        {
            BillingDate = today,
            // the latest due date of the items, never before the billing date
            DueDate = Selected.Count > 0 && FaturamentoForm.Iso(Selected.Max(i => i.DueDate)) is var due && string.CompareOrdinal(due, today) > 0 ? due : today,
            Notes = Selected.Count > 0 ? BillingRules.DefaultNotes(Selected.Select(i => i.Description)) : "",
            Key = Guid.NewGuid().ToString("N"),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!FaturamentoForm.TryDate(Input.BillingDate, out var billingDate)) Errors["billingDate"] = ["Data de faturamento inválida: informe como dd/mm/aaaa."];
        if (!FaturamentoForm.TryDate(Input.DueDate, out var dueDate)) Errors["dueDate"] = ["Data de vencimento inválida: informe como dd/mm/aaaa."];
        if (!AdminLookups.TryMoney(Input.Discount, out var discount)) Errors["discount"] = ["Informe um valor como 10,00."];
        if (!AdminLookups.TryMoney(Input.Interest, out var interest)) Errors["interest"] = ["Informe um valor como 10,00."];
        var files = new List<UploadedFile>();
        foreach (var f in Arquivos.Where(f => f.Length > 0))
        {
            if (f.Length > BillingService.MaxAttachmentBytes)
            {
                Errors["arquivos"] = [$"{f.FileName}: {BillingService.TooLarge().Message}"];
                break;
            }
            using var buffer = new MemoryStream((int)f.Length);
            await f.CopyToAsync(buffer, ct);
            var (file, problem) = BillingService.CheckFile(f.FileName, f.ContentType, buffer.ToArray());
            if (problem is not null)
            {
                Errors["arquivos"] = [$"{Path.GetFileName(f.FileName)}: {problem.Message}"];
                break;
            }
            files.Add(file!);
        }
        if (Errors.Count > 0)
        {
            Problem = "Corrija os campos indicados.";
            await LoadAsync(ct);
            return Page();
        }
        var body = new BillRequest(Cliente, Itens, null, billingDate, null, discount, interest, Input.NfeNumber, Input.Notes, dueDate);
        var r = await billing.Bill(body, Input.Key, CommandResults.Actor(HttpContext), ct, files);
        if (!Absorb(r))
        {
            await LoadAsync(ct);
            return Page();
        }
        var made = r.Value!.Billing;
        if (r.Value.Replayed)
        {
            // the same form sent again (double click, reload): the billing it made the first time, nothing new
            Response.Headers["Idempotent-Replayed"] = "true";
            Flash = $"Este formulário já foi enviado: faturamento {AdminHtml.Inv(made.Id)} de {made.CustomerName}, nada novo foi criado.";
        }
        else
        {
            Flash = $"Faturamento {AdminHtml.Inv(made.Id)} criado para {made.CustomerName}: valor real {AdminHtml.Brl(made.ValorReal)}" +
                    (made.Attachments.Count > 0 ? $", {made.Attachments.Count} arquivo(s) anexado(s)." : ".");
        }
        var day = FaturamentoForm.Iso(made.BillingDate);
        return Redirect($"/admin/faturamento/historico?cliente={AdminHtml.Inv(made.CustomerId)}&de={day}&ate={day}");
    }

    /// <summary>The customer's pending items under the list's filters; the chosen ones (or all) become <see cref="Selected"/>.</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (Cliente <= 0)
        {
            Problem = "Escolha o cliente na lista de faturamentos pendentes.";
            return false;
        }
        var r = await billing.Pending(PorVencimento ? null : Data, PorVencimento ? Data : null, AdminHtml.Inv(Cliente), Tipo, ct);
        if (!Absorb(r)) return false;
        var customer = r.Value!.Customers.FirstOrDefault(c => c.CustomerId == Cliente);
        CustomerName = customer?.CustomerName ?? (await queries.CustomerNames([Cliente], ct)).GetValueOrDefault(Cliente) ?? "";
        var items = customer?.Items ?? [];
        Selected = Todos ? items : items.Where(i => Itens.Contains(i.Id)).ToList();
        if (Todos) Itens = Selected.Select(i => i.Id).ToList();
        return true;
    }
}

public sealed class FinalizacaoInput
{
    public string? BillingDate { get; set; }
    public string? DueDate { get; set; }
    public string? Discount { get; set; }
    public string? Interest { get; set; }
    public string? NfeNumber { get; set; }
    public string? Notes { get; set; }

    /// <summary>Idempotency-Key of this form: generated when it is rendered, kept when it is shown again with errors.</summary>
    public string? Key { get; set; }
}
