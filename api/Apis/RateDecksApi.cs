using System.Globalization;
using System.Text;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

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
    public const long MaxCsvBytes = 64L * 1024 * 1024;

    public static IEndpointRouteBuilder MapRateDecksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rate-decks").WithTags("Tabelas de destinos").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Import);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        return app;
    }

    private static async Task<Results<Created<RateDeckImportResponse>, ValidationProblem, ProblemHttpResult>> Import(
        HttpRequest request, IClusterClient cluster, string? id, string? name, CancellationToken ct)
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

        var errors = new FieldErrors();
        RatingJson.CheckId(id, "id", errors);
        if (name is { Length: > 200 }) errors.Add("name", "O nome tem no máximo 200 caracteres.");
        if (string.IsNullOrWhiteSpace(csv)) errors.Add(field, "O CSV está vazio.");
        if (errors.Any) return errors.ToProblem();

        id ??= "d" + (await cluster.GetGrain<ISequenceGrain>("seq:deck").Next()).ToString(CultureInfo.InvariantCulture);
        var result = await cluster.GetGrain<IRateDeckGrain>("deck:" + id).Import(name ?? "", csv);
        if (!result.Ok)
        {
            var messages = result.Errors
                .Select(e => e.Column is null
                    ? string.Create(CultureInfo.InvariantCulture, $"Linha {e.Line}: {e.Reason}")
                    : string.Create(CultureInfo.InvariantCulture, $"Linha {e.Line}, coluna {e.Column}: {e.Reason}"))
                .ToArray();
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = messages },
                detail: string.Create(CultureInfo.InvariantCulture,
                    $"{result.Errors.Length} linha(s) com erro; nada foi importado e a versão em vigor não mudou."),
                title: "Dados inválidos",
                extensions: new Dictionary<string, object?>
                {
                    ["lines"] = result.Errors.Select(e => new { line = e.Line, column = e.Column, reason = e.Reason }).ToArray(),
                });
        }
        return TypedResults.Created($"/api/rate-decks/{Uri.EscapeDataString(id)}", new RateDeckImportResponse(id, result.Version, result.Rows));
    }

    private static async Task<Results<Ok<RateDeckResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string id, NpgsqlDataSource db, string? prefix, int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        var search = prefix?.Trim().TrimStart('+');
        if (search is { Length: > 0 } && !search.All(char.IsAsciiDigit)) errors.Add("prefix", "O prefixo tem só dígitos.");
        if (errors.Any) return errors.ToProblem();

        string name;
        int version, rows;
        DateTimeOffset importedAt;
        await using (var head = db.CreateCommand("SELECT name, current_version, row_count, imported_at FROM rate_decks WHERE id = @id"))
        {
            head.Parameters.AddWithValue("id", id);
            await using var r = await head.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return Problems.NotFound($"A tabela de destinos '{id}' não existe.");
            (name, version, rows, importedAt) = (r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3));
        }

        const string Where = "WHERE deck_id = @id AND version = @version AND prefix LIKE @like";
        var like = (search ?? "") + "%";
        long total;
        await using (var count = db.CreateCommand($"SELECT count(*) FROM rate_deck_rows {Where}"))
        {
            count.Parameters.AddWithValue("id", id);
            count.Parameters.AddWithValue("version", version);
            count.Parameters.AddWithValue("like", like);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<RateDeckRowResponse>();
        await using (var cmd = db.CreateCommand(
            $"""
            SELECT prefix, destination, price_per_minute, connect_fee, initial_block, increment, minimum_seconds
            FROM rate_deck_rows {Where} ORDER BY prefix LIMIT @limit OFFSET @offset
            """))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("version", version);
            cmd.Parameters.AddWithValue("like", like);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                items.Add(new RateDeckRowResponse(r.GetString(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3),
                    r.GetInt32(4), r.GetInt32(5), r.GetInt32(6)));
        }
        return TypedResults.Ok(new RateDeckResponse(id, name, version, rows, importedAt, search is { Length: > 0 } ? search : null, p, size, total, total == 0 ? 0 : (total + size - 1) / size, items));
    }

    private static async Task<Ok<RateDeckListItem[]>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        var items = new List<RateDeckListItem>();
        await using var cmd = db.CreateCommand("SELECT id, name, current_version, row_count, imported_at FROM rate_decks ORDER BY id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new RateDeckListItem(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)));
        return TypedResults.Ok(items.ToArray());
    }

    private static ProblemHttpResult TooLarge() => TypedResults.Problem(statusCode: 413, title: Problems.TitleFor(413),
        detail: string.Create(CultureInfo.InvariantCulture, $"O CSV passa de {MaxCsvBytes / (1024 * 1024)} MB."));

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
