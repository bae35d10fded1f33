using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

public sealed record BillingEmailRequest(string? To, string? ReportType);

public sealed record BillingEmailResponse(long OutboxId, long BillingId, IReadOnlyList<string> Recipients, string ReportType, string Status);

/// <summary>
/// Documents of a billing: attachments (multipart upload, stored in PostgreSQL, listed and downloadable), the
/// closing report PDF in the four kinds of <see cref="BillingReportKinds"/> (also as a preview of pending items) rendered
/// by the silo's document layout, sending the report by e-mail through the outbox, and the public link of an avulso's
/// attachment printed in reports. Commands through <see cref="BillingService"/>, reads through <see cref="BillingQueries"/>.
/// </summary>
public static class BillingDocumentsApi
{
    public const int MaxAttachmentBytes = BillingService.MaxAttachmentBytes;

    /// <summary>Allowed attachment types (NF-e XML and PDF, images, text/CSV).</summary>
    public static IReadOnlyDictionary<string, string[]> AllowedTypes => BillingService.AllowedTypes;

    public static IEndpointRouteBuilder MapBillingDocumentsApi(this IEndpointRouteBuilder app)
    {
        var b = app.MapGroup("/api/billing").WithTags("Faturamento").RequireAuthorization(Policies.Admin);
        b.MapPost("/{id:long}/attachments", Upload).DisableAntiforgery();
        b.MapGet("/{id:long}/attachments", ListAttachments);
        b.MapGet("/{id:long}/attachments/{attachmentId:long}", Download);
        b.MapGet("/{id:long}/report.pdf", Report);
        b.MapGet("/pending/report.pdf", Preview);
        b.MapPost("/{id:long}/email", Email);
        b.MapPut("/avulsos/{id:long}/attachment", UploadAvulso).DisableAntiforgery();
        b.MapGet("/avulsos/{id:long}/attachment", DownloadAvulso);
        // the link an avulso's attachment has in a report sent to the customer (who has no admin login): a protected token
        app.MapGet(AttachmentLinkPath + "{token}", PublicAttachment).WithTags("Faturamento").AllowAnonymous();
        return app;
    }

    public const string AttachmentLinkPath = "/faturamento/anexos/";

    // ---------------------------------------------------------------- attachments

    internal static IResult ToProblem(FileProblem p) => p.Status == 400
        ? Problems.Field("file", p.Message)
        : TypedResults.Problem(detail: p.Message, statusCode: p.Status, title: Problems.TitleFor(p.Status));

    /// <summary>Reads and checks the multipart upload (field <c>file</c>): size, type, extension, magic bytes.</summary>
    private static async Task<(UploadedFile? File, IResult? Problem)> ReadUpload(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxAttachmentBytes + 64 * 1024) return (null, ToProblem(BillingService.TooLarge()));
        if (!http.Request.HasFormContentType)
            return (null, TypedResults.Problem(detail: "Envie o arquivo como multipart/form-data (campo 'file').", statusCode: 415, title: Problems.TitleFor(415)));
        var form = await http.Request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null || file.Length == 0) return (null, Problems.Field("file", "Envie um arquivo não vazio no campo 'file'."));
        if (file.Length > MaxAttachmentBytes) return (null, ToProblem(BillingService.TooLarge()));
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        var (checkedFile, problem) = BillingService.CheckFile(file.FileName, file.ContentType, buffer.ToArray());
        return problem is null ? (checkedFile, null) : (null, ToProblem(problem));
    }

    private static async Task<IResult> Upload(long id, HttpContext http, BillingService billing, CancellationToken ct)
    {
        var (file, problem) = await ReadUpload(http, ct);
        if (problem is not null) return problem;
        return (await billing.AddAttachment(id, file!, CommandResults.Actor(http)))
            .ToHttp(a => TypedResults.Created($"/api/billing/{id}/attachments/{a.Id}", a));
    }

    /// <summary>Sets (or replaces) the one attachment of an avulso; 409 while the avulso is billed.</summary>
    private static async Task<IResult> UploadAvulso(long id, HttpContext http, BillingService billing, CancellationToken ct)
    {
        var (file, problem) = await ReadUpload(http, ct);
        if (problem is not null) return problem;
        return CommandResults.ToProblem(await billing.SetAvulsoAttachment(id, file!));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAvulso(long id, BillingQueries queries, CancellationToken ct) =>
        await queries.AvulsoAttachment(id, ct) is { } f
            ? TypedResults.File(f.Content, f.ContentType, f.Name)
            : Problems.NotFound($"O valor avulso {id} não tem anexo.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PublicAttachment(string token, BillingQueries queries, CancellationToken ct) =>
        await queries.AvulsoAttachmentByToken(token, ct) is { } f
            ? TypedResults.File(f.Content, f.ContentType, f.Name)
            : Problems.NotFound("Anexo não encontrado.");

    private static async Task<Results<Ok<IReadOnlyList<BillingAttachmentInfo>>, ProblemHttpResult>> ListAttachments(long id, BillingQueries queries,
        CancellationToken ct) =>
        await queries.Billing(id, ct) is { } b ? TypedResults.Ok(b.Attachments) : Problems.NotFound($"Faturamento {id} não encontrado.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(long id, long attachmentId, BillingQueries queries,
        CancellationToken ct) =>
        await queries.Attachment(id, attachmentId, ct) is { } f
            ? TypedResults.File(f.Content, f.ContentType, f.Name)
            : Problems.NotFound($"Anexo {attachmentId} do faturamento {id} não encontrado.");

    // ---------------------------------------------------------------- reports

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Report(long id, HttpContext http,
        BillingService billing, CancellationToken ct, string? type = null) =>
        (await billing.Report(id, type, CommandResults.LinkBase(http.Request), ct)).ToHttp(f => TypedResults.File(f.Content, f.ContentType, f.Name));

    /// <summary>Preview of one customer's pending items before billing (same filters as the pending list, optionally some item ids).</summary>
    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Preview(BillingService billing,
        CancellationToken ct, long? customerId = null, string? baseDate = null, string? dueDate = null, string? kind = null, string? itemIds = null,
        string? type = null) =>
        (await billing.Preview(customerId, baseDate, dueDate, kind, itemIds, type, ct)).ToHttp(f => TypedResults.File(f.Content, f.ContentType, f.Name));

    // ---------------------------------------------------------------- e-mail

    /// <summary>Queues the report (rendered now, attached as is) in the e-mail outbox; the silo's sender delivers it.</summary>
    private static async Task<Results<Accepted<BillingEmailResponse>, ValidationProblem, ProblemHttpResult>> Email(long id, BillingEmailRequest body,
        HttpContext http, BillingService billing, CancellationToken ct) =>
        (await billing.Email(id, body.To, body.ReportType, CommandResults.LinkBase(http.Request), CommandResults.Actor(http), ct))
            .ToHttp(e => TypedResults.Accepted("/api/outbox", e));
}
