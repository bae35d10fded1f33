using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Application;
using Billing.GrainInterfaces.Common;
using Billing.Api.Web;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Faturas;

/// <summary>
/// One invoice: data, downloads, status change (confirmation dialog, customer notification on by default), payment,
/// credit notes (list, "Emitir nota de crédito" behind a confirmation dialog), discard, history. Commands through
/// <see cref="InvoiceService"/>, reads through <see cref="InvoiceDetailQueries"/> — the code of <c>/api/invoices</c>.
/// </summary>
public sealed class DetalheModel(InvoiceService invoices, InvoiceDetailQueries queries, LookupQueries lookups, InvoicePaymentService payments,
    TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public long Id { get; set; }

    [BindProperty]
    public string? NovoStatus { get; set; }

    /// <summary>"Enviar e-mail de notificação ao cliente": the checkbox is checked by default; unchecked posts nothing.</summary>
    [BindProperty]
    public bool Notificar { get; set; }

    public InvoiceResponse? Invoice { get; private set; }

    /// <summary>The paid state (owned by the invoice grain; not part of <see cref="InvoiceResponse"/>).</summary>
    public InvoiceView? Paid { get; private set; }

    /// <summary>Registrar pagamento: amount typed pt-BR ("1.234,56"), day paid (São Paulo), method, and the form's idempotency key.</summary>
    [BindProperty] public string? PagValor { get; set; }
    [BindProperty] public string? PagData { get; set; }
    [BindProperty] public string? PagForma { get; set; }
    [BindProperty] public string? PagChave { get; set; }

    public IReadOnlyList<InvoiceHistoryItem> History { get; private set; } = [];

    public IReadOnlyList<CreditNoteItem> CreditNotes { get; private set; } = [];

    /// <summary>"Emitir nota de crédito": amount typed pt-BR ("10,50"), reason, and the idempotency key rendered with the form.</summary>
    [BindProperty] public string? NcValor { get; set; }
    [BindProperty] public string? NcMotivo { get; set; }
    [BindProperty] public string? NcChave { get; set; }

    /// <summary>Prefix of the credit note form's field errors (<c>nota-amount</c>…), apart from the payment form's.</summary>
    public const string NoteField = "nota-";

    /// <summary>What the invoice's credit notes may still add up to (its total minus the notes already issued).</summary>
    public decimal CreditRoom => Invoice is null ? 0m : Math.Max(0m, Invoice.Total - CreditNotes.Sum(n => n.Amount));

    public string? CustomerName { get; private set; }

    public IEnumerable<string> NextStatuses =>
        Invoice is null ? [] : InvoiceStatus.All.Where(s => InvoiceStatus.TransitionProblem(Invoice.Status, s) is null);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Notificar = true;
        if (!await LoadAsync(ct)) return NotFound();
        PagValor = Money.Number(Invoice!.Total);
        PagData = SaoPauloTime.Today(clock).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        PagForma = "pix";
        PagChave = Guid.NewGuid().ToString("N");
        NcChave = Guid.NewGuid().ToString("N");
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Paid = await invoices.Get(Id);
        if (Paid is null) return false;
        Invoice = InvoiceResponse.From(Paid);
        History = await queries.History(Id, ct);
        CreditNotes = await queries.CreditNotes(Id, ct);
        // a form shown again after a refused post keeps its key (a second try is still the same request)
        NcChave ??= Guid.NewGuid().ToString("N");
        PagChave ??= Guid.NewGuid().ToString("N");
        CustomerName = (await lookups.CustomerNamesAsync([Invoice.CustomerId], ct)).GetValueOrDefault(Invoice.CustomerId);
        return true;
    }

    public async Task<IActionResult> OnPostStatusAsync(CancellationToken ct)
    {
        var r = await invoices.ChangeStatus(Id, NovoStatus, Notificar, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            if (!await LoadAsync(ct)) return NotFound();
            return Page();
        }
        var inv = r.Value!;
        // the grain records whether a notification was really queued (a customer without e-mail gets none)
        var last = (await queries.History(Id, ct)).LastOrDefault();
        Flash = $"Status da fatura alterado para {inv.Status}" + (last switch
        {
            { Notify: true } => "; o cliente será notificado por e-mail.",
            { Detail: { Length: > 0 } d } when Notificar => ". " + d,
            _ => " (sem e-mail ao cliente).",
        });
        return RedirectToPage();
    }

    /// <summary>Registrar pagamento: the same service as POST /api/invoices/{id}/payments; the key makes a double submit pay once.</summary>
    public async Task<IActionResult> OnPostPagamentoAsync(CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AdminLookups.TryMoney(PagValor, out var amount) || amount is null) errors["amount"] = ["Informe o valor pago, como 10,00."];
        DateTimeOffset? paidAt = null;
        if (DateOnly.TryParseExact(PagData?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            paidAt = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Unspecified), SaoPauloTime.Zone);
        else errors["paidAt"] = ["Informe a data do pagamento (dd/mm/aaaa)."];
        if (errors.Count > 0)
        {
            Absorb(CommandResult.Invalid(errors));
            return await LoadAsync(ct) ? Page() : NotFound();
        }
        // a day in the future is refused (the grain checks the moment with 1 day of tolerance for clock skew)
        if (day > SaoPauloTime.Today(clock))
        {
            Absorb(CommandResult.Invalid("paidAt", "A data do pagamento não pode ser futura."));
            return await LoadAsync(ct) ? Page() : NotFound();
        }
        var r = await payments.Pay(Id, new PaymentRequest(amount, paidAt, PagForma, PagChave), CommandResults.Actor(HttpContext));
        if (!Absorb(r)) return await LoadAsync(ct) ? Page() : NotFound();
        Flash = $"Pagamento de {Money.Format(r.Value!.PaidAmount ?? 0m)} registrado ({InvoicePayments.Label(r.Value.PaymentMethod)}).";
        return RedirectToPage();
    }

    /// <summary>"Emitir nota de crédito": the same service as POST /api/invoices/{id}/credit-notes; the key makes a double submit issue one note.</summary>
    public async Task<IActionResult> OnPostNotaCreditoAsync(CancellationToken ct)
    {
        decimal? amount = null;
        if (!string.IsNullOrWhiteSpace(NcValor))
        {
            if (AdminLookups.TryMoney(NcValor, out var typed) && typed is not null) amount = typed;
            else
            {
                Absorb(CommandResult.Invalid(NoteField + "amount", "Informe o valor da nota de crédito, como 10,50."));
                return await LoadAsync(ct) ? Page() : NotFound();
            }
        }
        var r = await invoices.IssueCreditNote(Id, new IssueCreditNoteRequest(amount, NcMotivo, NcChave), CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            // the payment form on the same page has an "amount" too: the note's errors go next to the note's fields
            foreach (var k in Errors.Keys.ToList())
            {
                Errors[NoteField + k] = Errors[k];
                Errors.Remove(k);
            }
            return await LoadAsync(ct) ? Page() : NotFound();
        }
        var n = r.Value!.Note;
        Flash = $"Nota de crédito {n.DocumentNumber} de {Money.Format(n.Amount)} emitida ({CreditNoteModes.Label(n.Mode).ToLowerInvariant()}).";
        return RedirectToPage();
    }

    /// <summary>The PDF of one of this invoice's credit notes.</summary>
    public async Task<IActionResult> OnGetNotaCreditoPdfAsync(long nota) =>
        new HttpResultAction(CommandResults.DocumentFile(await invoices.CreditNotePdf(Id, nota), InvoiceDocumentKind.Pdf, $"Nota de crédito {nota} não encontrada."));

    public async Task<IActionResult> OnPostDescartarAsync(CancellationToken ct)
    {
        var r = await invoices.Discard(Id, CommandResults.Actor(HttpContext));
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
        return kind is null ? NotFound() : new HttpResultAction(CommandResults.DocumentFile(await invoices.Document(Id, kind.Value), kind.Value, $"Fatura {Id} não encontrada."));
    }
}
