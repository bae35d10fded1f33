using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>The one-off charge form as typed.</summary>
public sealed class AvulsoForm
{
    public long? Id { get; set; }
    public long? Cliente { get; set; }
    public string? Data { get; set; }
    public string? Vencimento { get; set; }
    public string? Descricao { get; set; }
    public string? Valor { get; set; }

    public static AvulsoForm From(AvulsoResponse a) => new()
    {
        Id = a.Id, Cliente = a.CustomerId, Data = FaturamentoForm.Iso(a.Date), Vencimento = FaturamentoForm.Iso(a.DueDate), Descricao = a.Description,
        Valor = a.Amount.ToString("0.00", AdminHtml.PtBr),
    };
}

/// <summary>
/// Valores avulsos: one-off charges of a customer (date, due date, description, amount) with one optional attachment
/// (printed as a link in the closing reports); create, edit and "Excluir" (behind a confirmation) while not billed.
/// Through <see cref="BillingService"/>.
/// </summary>
public sealed class AvulsosModel(BillingService billing, BillingQueries queries, TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "editar")]
    public long? Editar { get; set; }

    [BindProperty]
    public AvulsoForm Input { get; set; } = new();

    [BindProperty]
    public IFormFile? Arquivo { get; set; }

    public IReadOnlyList<AvulsoResponse> Avulsos { get; private set; } = [];

    public Dictionary<long, string> Names { get; private set; } = [];

    /// <summary>The avulso being edited, as stored (its current attachment).</summary>
    public AvulsoResponse? Current { get; private set; }

    public string Self => "/admin/faturamento/avulsos" + (Cliente is { } c ? "?cliente=" + AdminHtml.Inv(c) : "");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Editar is { } id)
        {
            if (await queries.Avulso(id, ct) is not { } a) return NotFound();
            Input = AvulsoForm.From(a);
        }
        else
        {
            var today = FaturamentoForm.Today(clock);
            Input = new AvulsoForm { Cliente = Cliente, Data = today, Vencimento = today };
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Avulsos = await queries.Avulsos(Cliente, ct);
        Names = await queries.CustomerNames(Avulsos.Select(a => a.CustomerId).Append(Input.Cliente ?? 0), ct);
        Current = Input.Id is { } id ? await queries.Avulso(id, ct) : null;
    }

    private Task<IActionResult> ShowAgainAsync(CancellationToken ct) => ShowAgainAsync(() => LoadAsync(ct));

    public async Task<IActionResult> OnPostSalvarAsync(CancellationToken ct)
    {
        if (!FaturamentoForm.TryDate(Input.Data, out var date)) Errors["date"] = ["Data inválida: informe como dd/mm/aaaa."];
        if (!FaturamentoForm.TryDate(Input.Vencimento, out var due)) Errors["dueDate"] = ["Data inválida: informe como dd/mm/aaaa."];
        if (!AdminLookups.TryMoney(Input.Valor, out var amount)) Errors["amount"] = ["Informe um valor como 10,00."];
        UploadedFile? file = null;
        if (Arquivo is { Length: > 0 } upload)
        {
            if (upload.Length > BillingService.MaxAttachmentBytes) Errors["arquivo"] = [BillingService.TooLarge().Message];
            else
            {
                using var buffer = new MemoryStream((int)upload.Length);
                await upload.CopyToAsync(buffer, ct);
                var (checkedFile, problem) = BillingService.CheckFile(upload.FileName, upload.ContentType, buffer.ToArray());
                if (problem is not null) Errors["arquivo"] = [problem.Message];
                file = checkedFile;
            }
        }
        if (Errors.Count > 0)
        {
            Problem = "Corrija os campos indicados.";
            return await ShowAgainAsync(ct);
        }
        var body = new AvulsoRequest(Input.Cliente, date, due, Input.Descricao, amount);
        var r = Input.Id is { } id ? await billing.UpdateAvulso(id, body, ct, file) : await billing.CreateAvulso(body, ct, file);
        if (!Absorb(r)) return await ShowAgainAsync(ct);
        Flash = (Input.Id is null ? "Valor avulso criado: " : "Valor avulso salvo: ") + r.Value!.Description +
                (r.Value.AttachmentName is { } n ? $" (anexo {n})." : ".");
        return Redirect("/admin/faturamento/avulsos?cliente=" + AdminHtml.Inv(r.Value.CustomerId));
    }

    public async Task<IActionResult> OnPostExcluirAsync(long id, CancellationToken ct)
    {
        if (!Absorb(await billing.DeleteAvulso(id)))
        {
            var today = FaturamentoForm.Today(clock);
            Input = new AvulsoForm { Cliente = Cliente, Data = today, Vencimento = today };
            return await ShowAgainAsync(ct);
        }
        Flash = $"Valor avulso {AdminHtml.Inv(id)} excluído.";
        return Redirect(Self);
    }

    public async Task<IActionResult> OnGetAnexoAsync(long id, CancellationToken ct) =>
        await queries.AvulsoAttachment(id, ct) is { } f ? File(f.Content, f.ContentType, f.Name) : NotFound();
}
