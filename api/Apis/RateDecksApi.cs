using System.Globalization;
using System.Text;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

public sealed record RateDeckImportResponse(string Id, int Version, int Rows);

public sealed record RateDeckRowResponse(
    string Prefix, string Destination, decimal PricePerMinute, decimal ConnectFee, int InitialBlock, int Increment, int MinimumSeconds);

public sealed record RateDeckResponse(
    string Id, string Name, int Version, int Rows, DateTimeOffset ImportedAt,
    string? Prefix, int Page, int PageSize, long Total, long TotalPages, IReadOnlyList<RateDeckRowResponse> Items);

public sealed record RateDeckListItem(string Id, string Name, int Version, int Rows, DateTimeOffset ImportedAt);

/// <summary>
/// Rate decks (prefix → tariff, longest prefix wins): <c>POST /api/rate-decks</c> imports a CSV (text/csv body or a
/// multipart <c>file</c>) as a new version, all or nothing; <c>GET /api/rate-decks/{id}</c> pages its rows.
/// </summary>
public static class RateDecksApi
{
    public const long MaxCsvBytes = RateDeckService.MaxCsvBytes;

    public static IEndpointRouteBuilder MapRateDecksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rate-decks").WithTags("Tabelas de destinos").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Import);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        return app;
    }

    private static async Task<Results<Created<RateDeckImportResponse>, ValidationProblem, ProblemHttpResult>> Import(
        HttpRequest request, RateDeckService decks, string? id, string? name, CancellationToken ct)
    {
        string csv;
        string field;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            id ??= NullIfEmpty(form["id"]);
            name ??= NullIfEmpty(form["name"]);
            field = "file";
            if (file is null || file.Length == 0) return Problems.Field("file", "Envie o arquivo CSV no campo 'file'.");
            if (file.Length > MaxCsvBytes) return TooLarge();
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            csv = await reader.ReadToEndAsync(ct);
        }
        else
        {
            var mediaType = request.ContentType is { } ct0 && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ct0, out var mt)
                ? mt.MediaType.Value
                : null;
            if (mediaType is not ("text/csv" or "text/plain" or "application/csv" or "application/octet-stream"))
                return TypedResults.Problem(statusCode: 415, title: Problems.TitleFor(415),
                    detail: "Envie o CSV como text/csv no corpo ou como multipart/form-data no campo 'file'.");
            if (request.ContentLength > MaxCsvBytes) return TooLarge();
            field = "body";
            using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            csv = await reader.ReadToEndAsync(ct);
        }

        var outcome = await decks.Import(id, name, csv, field);
        if (outcome is { IsOk: false, Value: { Ok: false } result })
        {
            return TypedResults.ValidationProblem(
                outcome.Errors!.ToDictionary(),
                detail: outcome.Message,
                title: "Dados inválidos",
                extensions: new Dictionary<string, object?>
                {
                    ["lines"] = result.Errors.Select(e => new { line = e.Line, column = e.Column, reason = e.Reason }).ToArray(),
                });
        }
        return outcome.ToHttp(r => TypedResults.Created($"/api/rate-decks/{Uri.EscapeDataString(r.RateDeckId)}",
            new RateDeckImportResponse(r.RateDeckId, r.Version, r.Rows)));
    }

    private static async Task<Results<Ok<RateDeckResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string id, RateDeckQueries decks, string? prefix, int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var search = prefix?.Trim().TrimStart('+');
        if (search is { Length: > 0 } && !search.All(char.IsAsciiDigit)) errors.Add("prefix", "O prefixo tem só dígitos.");
        if (errors.Any) return errors.ToProblem();

        var deck = await decks.Rows(id, search is { Length: > 0 } ? search : null, p, size, ct);
        return deck is null ? Problems.NotFound($"A tabela de destinos '{id}' não existe.") : TypedResults.Ok(deck);
    }

    private static async Task<Ok<RateDeckListItem[]>> List(RateDeckQueries decks, CancellationToken ct) =>
        TypedResults.Ok(await decks.List(ct));

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(statusCode: 413, title: Problems.TitleFor(413),
        detail: string.Create(CultureInfo.InvariantCulture, $"O CSV passa de {MaxCsvBytes / (1024 * 1024)} MB."));

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
