using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Infrastructure;

/// <summary>pt-BR ProblemDetails for every error the API returns.</summary>
public static class Problems
{
    public static string TitleFor(int status) => status switch
    {
        400 => "Requisição inválida",
        401 => "Não autenticado",
        403 => "Acesso negado",
        404 => "Não encontrado",
        405 => "Método não permitido",
        409 => "Conflito",
        413 => "Conteúdo grande demais",
        415 => "Tipo de conteúdo não suportado",
        422 => "Não processável",
        429 => "Muitas requisições",
        503 => "Serviço indisponível",
        _ when status >= 500 => "Erro interno",
        _ => "Erro",
    };

    public static void Customize(ProblemDetailsContext ctx)
    {
        var pd = ctx.ProblemDetails;
        var status = pd.Status ?? ctx.HttpContext.Response.StatusCode;
        pd.Status = status;
        // Replace the framework's English defaults by pt-BR; keep titles our code set explicitly.
        if (pd.Title is null || IsFrameworkTitle(pd.Title)) pd.Title = TitleFor(status);
        if (pd.Detail is null && status == 404) pd.Detail = "O recurso pedido não existe.";
        if (pd.Detail is null && status == 405) pd.Detail = "Este método HTTP não é aceito neste endereço.";
        pd.Instance ??= ctx.HttpContext.Request.Path;
        pd.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
    }

    private static bool IsFrameworkTitle(string title) =>
        title.StartsWith("One or more validation errors", StringComparison.Ordinal)
        || title is "Bad Request" or "Unauthorized" or "Forbidden" or "Not Found" or "Method Not Allowed"
            or "Conflict" or "An error occurred while processing your request." or "Unsupported Media Type"
            or "Payload Too Large" or "Too Many Requests" or "Service Unavailable" or "Internal Server Error";

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(errors,
            detail: detail ?? "Um ou mais campos têm valores inválidos.",
            title: "Dados inválidos");

    public static ValidationProblem Field(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: 404, title: TitleFor(404));

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: 409, title: TitleFor(409));
}

/// <summary>Collects field errors (camelCase field → pt-BR messages).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    public ValidationProblem ToProblem() => Problems.Validation(ToDictionary());
}

/// <summary>Turns malformed bodies and unexpected exceptions into pt-BR ProblemDetails.</summary>
public sealed class BillingExceptionHandler(IProblemDetailsService problems, ILogger<BillingExceptionHandler> log)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var pd = new Microsoft.AspNetCore.Mvc.ProblemDetails();
        switch (exception)
        {
            case BadHttpRequestException bad:
            {
                pd.Status = bad.StatusCode;
                pd.Title = Problems.TitleFor(bad.StatusCode);
                var json = FindJsonException(bad);
                if (json is not null)
                {
                    var field = JsonPathToField(json.Path);
                    pd.Title = "Dados inválidos";
                    pd.Detail = "O corpo da requisição não é um JSON válido para este recurso.";
                    pd.Extensions["errors"] = new Dictionary<string, string[]>
                    {
                        [field] = [field == "body" ? "JSON malformado." : "Valor com formato ou tipo inválido."],
                    };
                }
                else if (bad.StatusCode == 415)
                {
                    pd.Detail = "Envie o corpo como application/json.";
                }
                else
                {
                    pd.Detail = "A requisição não pôde ser lida: verifique o corpo e os parâmetros.";
                }
                break;
            }
            case var _ when FindDataException(exception) is { } pg:
                // the last line: input the edge checks missed and PostgreSQL refused (its transaction rolled back)
                log.LogWarning(exception, "PostgreSQL recusou dados em {Path} ({SqlState}); falta uma validação na borda", http.Request.Path, pg.SqlState);
                pd.Status = 400;
                pd.Title = "Dados inválidos";
                pd.Detail = "Um ou mais valores não podem ser guardados (caracteres inválidos, texto longo demais ou número fora do limite). Nada foi alterado.";
                break;
            case OperationCanceledException when http.RequestAborted.IsCancellationRequested:
                return true;
            default:
                log.LogError(exception, "Erro não tratado em {Path}", http.Request.Path);
                pd.Status = 500;
                pd.Title = Problems.TitleFor(500);
                pd.Detail = "Ocorreu um erro inesperado. Nada foi alterado pela parte que falhou; tente novamente.";
                break;
        }
        http.Response.StatusCode = pd.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = pd,
            Exception = exception,
        });
    }

    /// <summary>
    /// A PostgreSQL "data exception" (class 22: NUL in text, value too long, numeric or date out of range) or a check
    /// violation (23514): input the database refused, not a failure of the service.
    /// </summary>
    private static Npgsql.PostgresException? FindDataException(Exception e)
    {
        for (var cur = e; cur is not null; cur = cur.InnerException)
            if (cur is Npgsql.PostgresException pg && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState == "23514")) return pg;
        return null;
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var cur = e; cur is not null; cur = cur.InnerException)
            if (cur is JsonException j) return j;
        return null;
    }

    private static string JsonPathToField(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var p = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return p.Length == 0 ? "body" : p;
    }
}
