using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>
/// Maps a <see cref="CommandResult"/> / <see cref="CommandResult{T}"/> (grain commands, application services) to
/// typed HTTP results: Ok → the given response, Invalid → 400 with the field errors, NotFound → 404, Conflict → 409.
/// </summary>
public static class CommandResults
{
    public static IResult ToProblem(CommandResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.IsOk ? TypedResults.NoContent() : Failure(r.Status, r.Message, r.Errors);
    }

    /// <summary>Ok → <paramref name="ok"/>(value); otherwise the problem.</summary>
    public static Results<TOk, ValidationProblem, ProblemHttpResult> ToHttp<T, TOk>(this CommandResult<T> r, Func<T, TOk> ok)
        where TOk : IResult
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(ok);
        if (r.IsOk) return ok(r.Value!);
        return Failure(r.Status, r.Message, r.Errors) switch
        {
            ValidationProblem v => v,
            var p => (ProblemHttpResult)p,
        };
    }

    /// <summary>Ok → 204; otherwise the problem.</summary>
    public static Results<NoContent, ValidationProblem, ProblemHttpResult> ToNoContent<T>(this CommandResult<T> r) =>
        r.ToHttp(_ => TypedResults.NoContent());

    private static IResult Failure(CommandStatus status, string? message, IReadOnlyDictionary<string, string[]>? errors) => status switch
    {
        CommandStatus.Invalid => Problems.Validation(errors is null ? new Dictionary<string, string[]>() : errors.ToDictionary(), message),
        CommandStatus.NotFound => Problems.NotFound(message ?? "Não encontrado."),
        _ => Problems.Conflict(message ?? "Conflito."),
    };

    /// <summary>The scheme and host links in documents and e-mails point back to (<c>https://billing.example</c>).</summary>
    public static string LinkBase(HttpRequest request) =>
        request is null ? "" : request.Scheme + "://" + request.Host.Value;

    /// <summary>A rendered document as a download (the print view inline); 404 with <paramref name="notFound"/> when there is none.</summary>
    public static IResult DocumentFile(InvoiceDocument? doc, InvoiceDocumentKind kind, string notFound)
    {
        if (doc is null) return Problems.NotFound(notFound);
        return kind == InvoiceDocumentKind.Print
            ? TypedResults.File(doc.Content, doc.ContentType)
            : TypedResults.File(doc.Content, doc.ContentType, doc.FileName);
    }

    public static string Actor(HttpContext http) =>
        http?.User.Identity?.Name is { Length: > 0 } name ? name : "desconhecido";
}
