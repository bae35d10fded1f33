using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Invoicing;

namespace Billing.Api.Apis;

/// <summary>A credit note as the REST API answers it.</summary>
public sealed record CreditNoteResponse(
    long Id, long Number, string DocumentNumber, long InvoiceId, string InvoiceDocumentNumber, string Account, long CustomerId,
    string Period, string Mode, decimal Amount, string Reason, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LedgerCreditedAt)
{
    public static CreditNoteResponse From(CreditNoteView n) => new(
        n.Id, n.Number, n.DocumentNumber, n.InvoiceId, n.InvoiceDocumentNumber, n.Account, n.CustomerId, n.Period, n.Mode, n.Amount,
        n.Reason, n.CreatedAt, n.CreatedBy, n.LedgerCreditedAt);
}

/// <summary>
/// Credit notes (notas de crédito, issue 19): issue one on an ABERTO or FECHADO invoice, list an invoice's notes, and
/// download a note's PDF. Commands through <see cref="InvoiceService"/>, reads through <see cref="InvoiceDetailQueries"/>
/// — the same code as the admin invoice page.
/// </summary>
public static class CreditNotesApi
{
    public static IEndpointRouteBuilder MapCreditNotesApi(this IEndpointRouteBuilder app)
    {
        var inv = app.MapGroup("/api/invoices").WithTags("Faturas").RequireAuthorization(Policies.Admin);
        inv.MapPost("/{id:long}/credit-notes", Issue);
        inv.MapGet("/{id:long}/credit-notes", List);
        app.MapGet("/api/credit-notes/{id:long}/pdf", Pdf).WithTags("Faturas").RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>201 with the new note; 200 with the same note when the idempotency key was already used on this invoice.</summary>
    private static async Task<IResult> Issue(long id, IssueCreditNoteRequest body, InvoiceService invoices, HttpContext http)
    {
        var r = await invoices.IssueCreditNote(id, body, CommandResults.Actor(http));
        return r.ToHttp(v => v.Duplicate
            ? (IResult)TypedResults.Ok(CreditNoteResponse.From(v.Note))
            : TypedResults.Created($"/api/credit-notes/{v.Note.Id}/pdf", CreditNoteResponse.From(v.Note)));
    }

    private static async Task<IResult> List(long id, InvoiceService invoices, InvoiceDetailQueries queries, CancellationToken ct)
    {
        if (await invoices.Get(id) is null) return Problems.NotFound($"Fatura {id} não encontrada.");
        return TypedResults.Ok(await queries.CreditNotes(id, ct));
    }

    private static async Task<IResult> Pdf(long id, InvoiceService invoices, InvoiceDetailQueries queries, CancellationToken ct)
    {
        var note = await queries.CreditNote(id, ct);
        var notFound = $"Nota de crédito {id} não encontrada.";
        if (note is null) return Problems.NotFound(notFound);
        return CommandResults.DocumentFile(await invoices.CreditNotePdf(note.InvoiceId, id), InvoiceDocumentKind.Pdf, notFound);
    }
}
