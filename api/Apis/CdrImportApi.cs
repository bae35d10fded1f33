using System.Text;
using Billing.Api.Application;
using Billing.Api.Infrastructure;

namespace Billing.Api.Apis;

/// <summary><c>POST /api/cdrs</c> (switch key): a file of CDRs, CSV or a JSON array, in the body or as form field <c>file</c>.</summary>
public static class CdrImportApi
{
    /// <summary>Largest CDR upload read (checked before parsing): 50 000 rows of a few hundred bytes fit easily.</summary>
    public const long MaxCdrUploadBytes = 32L * 1024 * 1024;

    public static IEndpointRouteBuilder MapCdrImportApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api").WithTags("Chamadas").RequireAuthorization(Policies.Switch)
            .MapPost("/cdrs", Import).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> Import(HttpRequest http, CdrImportService imports)
    {
        // the size first: a file is never parsed (or even read) past what an import may hold
        if (http.ContentLength > MaxCdrUploadBytes)
            return TypedResults.Problem(statusCode: 413, title: Problems.TitleFor(413),
                detail: $"O arquivo de CDRs passa de {MaxCdrUploadBytes / (1024 * 1024)} MB: divida-o em envios menores.");
        if (http.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxCdrUploadBytes;
        var (text, csv, problem) = await ReadAsync(http);
        if (problem is not null) return problem;
        var result = await imports.Import(text, csv, http.HttpContext.RequestAborted);
        return result.ToHttp(TypedResults.Ok);
    }

    private static async Task<(string Text, bool Csv, IResult? Problem)> ReadAsync(HttpRequest http)
    {
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync();
            if (form.Files.FirstOrDefault() is not { } file)
                return ("", false, Problems.Field("file", "Envie o arquivo de CDRs no campo 'file'."));
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            var text = await reader.ReadToEndAsync();
            return (text, !text.TrimStart().StartsWith('['), null);
        }
        using (var reader = new StreamReader(http.Body, Encoding.UTF8))
        {
            var text = await reader.ReadToEndAsync();
            var type = http.ContentType ?? "";
            var csv = type.Contains("csv", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
            if (!csv && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
                return (text, false, Problems.Field("body", "Envie um array JSON (application/json) ou um CSV (text/csv)."));
            return (text, csv, null);
        }
    }
}
