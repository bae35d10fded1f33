using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using CsvHelper;

namespace Billing.Api.Apis;

/// <summary>
/// Body of POST /api/calls/authorize. Inbound calls (<c>direction: "inbound"</c>) name the <c>did</c> dialled;
/// the DID decides the circuit (<c>account</c> may be omitted). <c>collect: true</c> or <c>callType: "a_cobrar"</c>
/// flags a collect call (it is also recognised from a 90+CSP… caller).
/// </summary>
public sealed record AuthorizeBody(
    string? CallId, string? Account, string? Destination, CallDirection? Direction, string? Caller, string? Did,
    bool? Collect = null, string? CallType = null);

public sealed record CompleteBody(
    int? DurationSeconds, DateTimeOffset? AnsweredAt, string? HangupCause,
    string? Account, string? Destination, CallDirection? Direction, DateTimeOffset? StartedAt, string? Caller);

public sealed record CompleteResponse(string CallId, string? CallType, int BilledSeconds, decimal Cost, decimal Balance);

public sealed record CdrRow(string? CallId, string? Account, string? Destination, string? Direction, DateTimeOffset? Start, int? DurationSeconds);

public sealed record CdrRejection(int Line, string Field, string Reason);

public sealed record CdrImportResult(int Accepted, int Duplicates, IReadOnlyList<CdrRejection> Rejected);

/// <summary>The softswitch's hot path: authorize, extend, complete, and batch CDR import.</summary>
public static class CallsApi
{
    public const int MaxCdrsPerImport = 50_000;

    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var sw = app.MapGroup("/api").WithTags("Chamadas").RequireAuthorization(Policies.Switch);
        sw.MapPost("/calls/authorize", Authorize);
        sw.MapPost("/calls/{callId}/extend", Extend);
        sw.MapPost("/calls/{callId}/complete", Complete);
        sw.MapPost("/cdrs", ImportCdrs).DisableAntiforgery();
        return app;
    }

    /// <summary>Largest CDR upload read (checked before parsing): 50 000 rows of a few hundred bytes fit easily.</summary>
    public const long MaxCdrUploadBytes = 32L * 1024 * 1024;

    private static bool ValidCallId(string? id) => CallInput.ValidCallId(id);

    private static IResult FieldProblems(IReadOnlyList<(string Field, string Message)> problems)
    {
        var errors = new FieldErrors();
        foreach (var (field, message) in problems) errors.Add(field, message);
        return errors.ToProblem();
    }

    // The hot path itself (validation, grain calls) is SwitchCalls', shared with the silo's evapi connector;
    // these handlers only translate its answers to HTTP and count them.
    private static async Task<IResult> Authorize(AuthorizeBody body, SwitchCalls calls, CallMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var a = await calls.AuthorizeAsync(new SwitchAuthorize(body.CallId, body.Account, body.Destination, body.Direction,
            body.Caller, body.Did, body.Collect, body.CallType));
        if (a.Errors.Count > 0) return FieldProblems(a.Errors);
        if (a.ConflictAccount is { } other) return CallIdInUse(body.CallId!, other);
        if (a.Inbound)
        {
            if (!a.Allowed) return TypedResults.Ok<object>(new { allowed = false, reason = a.Reason });
            return a.ForwardTo is { } forwardTo
                ? TypedResults.Ok<object>(new
                {
                    allowed = true, account = a.Account, did = a.Did, maxSeconds = a.MaxSeconds, callType = a.CallType,
                    pricePerMinute = a.PricePerMinute, forwardTo,
                })
                : TypedResults.Ok<object>(new
                {
                    allowed = true, account = a.Account, did = a.Did, maxSeconds = a.MaxSeconds, callType = a.CallType,
                    pricePerMinute = a.PricePerMinute,
                });
        }
        if (a.Allowed) metrics.Authorized(a.CallType);
        else metrics.Refused(a.Reason);
        metrics.AuthorizeTook(started);
        return a.Allowed
            ? TypedResults.Ok<object>(new { allowed = true, maxSeconds = a.MaxSeconds, callType = a.CallType, pricePerMinute = a.PricePerMinute })
            : TypedResults.Ok<object>(new { allowed = false, reason = a.Reason });
    }

    private static IResult CallIdInUse(string callId, string account) =>
        Problems.Conflict($"O identificador de chamada {callId} já está em uso por uma chamada do circuito {account}; use um identificador por chamada.");

    private static async Task<IResult> Extend(string callId, SwitchCalls calls)
    {
        var r = await calls.ExtendAsync(callId);
        if (r.Errors.Count > 0) return FieldProblems(r.Errors);
        return r.Allowed
            ? TypedResults.Ok<object>(new { allowed = true, maxSeconds = r.MaxSeconds, totalSeconds = r.TotalSeconds })
            : TypedResults.Ok<object>(new { allowed = false, maxSeconds = 0, reason = r.Reason });
    }

    private static async Task<IResult> Complete(string callId, CompleteBody body, SwitchCalls calls, CallMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var c = await calls.CompleteAsync(callId, new SwitchComplete(body.DurationSeconds, body.AnsweredAt, body.HangupCause,
            body.Account, body.Destination, body.Direction, body.StartedAt, body.Caller));
        if (c.Errors.Count > 0) return FieldProblems(c.Errors);
        if (c.UnknownCall || c.Result is not { } r)
            return Problems.NotFound($"Chamada {callId} desconhecida: envie 'account' e 'destination' no complete de chamadas não autorizadas.");
        metrics.Completed(r.Status);
        metrics.CompleteTook(started);
        return r.Status switch
        {
            CompleteStatus.Rated or CompleteStatus.Duplicate =>
                TypedResults.Ok(new CompleteResponse(r.CallId, r.CallType, r.BilledSeconds, r.Cost, r.Balance)),
            CompleteStatus.UnknownCircuit => Problems.NotFound($"Circuito {c.Account} não encontrado."),
            CompleteStatus.UnknownCall => Problems.NotFound(r.Reason ?? $"Chamada {callId} desconhecida."),
            CompleteStatus.Conflict => Problems.Conflict(r.Reason ?? $"O identificador de chamada {callId} pertence a outro circuito."),
            _ => Problems.Field(r.Field ?? "body", r.Reason ?? "Chamada inválida."),
        };
    }

    // ------------------------------------------------------------------ CDR import

    private static async Task<IResult> ImportCdrs(HttpRequest http, IClusterClient cluster, CallMetrics metrics, ILoggerFactory logs)
    {
        // the size first: a file is never parsed (or even read) past what an import may hold
        if (http.ContentLength > MaxCdrUploadBytes)
            return TypedResults.Problem(statusCode: 413, title: Problems.TitleFor(413),
                detail: $"O arquivo de CDRs passa de {MaxCdrUploadBytes / (1024 * 1024)} MB: divida-o em envios menores.");
        if (http.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxCdrUploadBytes;
        List<(int Line, CdrRow Row, string Raw)> rows;
        var rejected = new List<CdrRejection>();
        try
        {
            rows = await ReadRowsAsync(http, rejected);
        }
        catch (CdrFormatException e)
        {
            return Problems.Field(e.Field, e.Message);
        }
        if (rows.Count + rejected.Count > MaxCdrsPerImport)
            return Problems.Field("body", $"No máximo {MaxCdrsPerImport} CDRs por envio.");

        var rawByLine = rows.ToDictionary(r => r.Line, r => r.Raw);
        var accepted = 0;
        var duplicates = 0;
        var good = new List<(int Line, CdrRow Row)>();
        foreach (var (line, row, _) in rows)
        {
            var field = Check(row, out var reason);
            if (field is null) good.Add((line, row));
            else rejected.Add(new CdrRejection(line, field, reason!));
        }
        // the same call id twice in one file: the first wins, the rest are duplicates
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<(int Line, CdrRow Row)>();
        foreach (var g in good)
        {
            if (seen.Add(g.Row.CallId!)) unique.Add(g);
            else duplicates++;
        }

        using var gate = new SemaphoreSlim(64);
        var log = logs.CreateLogger(typeof(CallsApi));
        var outcomes = await Task.WhenAll(unique.Select(async g =>
        {
            await gate.WaitAsync();
            try
            {
                var r = await cluster.Circuit(g.Row.Account!).Complete(new CompleteRequest
                {
                    CallId = g.Row.CallId!,
                    DurationSeconds = g.Row.DurationSeconds!.Value,
                    Destination = g.Row.Destination,
                    Direction = g.Row.Direction == "inbound" ? CallDirection.Inbound : CallDirection.Outbound,
                    StartedAt = g.Row.Start,
                    AnsweredAt = g.Row.Start,
                    Source = "import",
                });
                return (g.Line, r);
            }
            catch (Exception e) when (e is not OperationCanceledException || !http.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // one row that fails never fails the import: it is reported; a new import of the file applies it once
                log.LogError(e, "Importação de CDRs: linha {Line} (chamada {CallId}) falhou", g.Line, g.Row.CallId);
                return (g.Line, new CompleteResult
                {
                    Status = CompleteStatus.Invalid, CallId = g.Row.CallId!, Field = "body",
                    Reason = "Falha ao processar este CDR; nada foi cobrado por ele. Envie-o de novo (o reenvio não cobra em dobro).",
                });
            }
            finally
            {
                gate.Release();
            }
        }));
        foreach (var (line, r) in outcomes)
        {
            metrics.Completed(r.Status, "import");
            switch (r.Status)
            {
                case CompleteStatus.Rated: accepted++; break;
                case CompleteStatus.Duplicate: duplicates++; break;
                case CompleteStatus.UnknownCircuit: rejected.Add(new CdrRejection(line, "account", "Circuito não encontrado.")); break;
                default: rejected.Add(new CdrRejection(line, CdrField(r.Field), r.Reason ?? "CDR inválido.")); break;
            }
        }
        rejected.Sort((a, b) => a.Line.CompareTo(b.Line));
        if (rejected.Count > 0)
            await cluster.GetGrain<ICdrRejectionsGrain>(ICdrRejectionsGrain.Key).Record(
                [.. rejected.Select(r => new CdrRejectedLine(r.Line, r.Field, r.Reason, InputRules.Printable(rawByLine.GetValueOrDefault(r.Line, ""), 4000)))]);
        return TypedResults.Ok(new CdrImportResult(accepted, duplicates, rejected));
    }

    /// <summary>A grain's field name as the CDR's column (the import sends <c>start</c> as answeredAt and startedAt).</summary>
    private static string CdrField(string? field) => field switch
    {
        null => "destination",
        "answeredAt" or "startedAt" => "start",
        _ => field,
    };

    private static string? Check(CdrRow r, out string? reason)
    {
        reason = null;
        if (!ValidCallId(r.CallId)) { reason = "Identificador de chamada ausente ou inválido."; return "callId"; }
        if (!CircuitKeys.IsValidAccount(r.Account)) { reason = "Circuito ausente ou inválido."; return "account"; }
        if (string.IsNullOrWhiteSpace(r.Destination) || CallInput.NumberProblem(r.Destination) is not null) { reason = "Destino ausente ou inválido."; return "destination"; }
        if (r.Direction is not ("outbound" or "inbound")) { reason = "Use 'outbound' ou 'inbound'."; return "direction"; }
        if (r.Start is null) { reason = "Início da chamada ausente ou inválido (ISO 8601)."; return "start"; }
        if (r.DurationSeconds is null or < 0 or > 86_400) { reason = "Duração deve estar entre 0 e 86400 segundos."; return "durationSeconds"; }
        return null;
    }

    private sealed class CdrFormatException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }

    private static async Task<List<(int, CdrRow, string)>> ReadRowsAsync(HttpRequest http, List<CdrRejection> rejected)
    {
        string text;
        bool csv;
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync();
            var file = form.Files.FirstOrDefault() ?? throw new CdrFormatException("file", "Envie o arquivo de CDRs no campo 'file'.");
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            text = await reader.ReadToEndAsync();
            csv = !text.TrimStart().StartsWith('[');
        }
        else
        {
            using var reader = new StreamReader(http.Body, Encoding.UTF8);
            text = await reader.ReadToEndAsync();
            var type = http.ContentType ?? "";
            csv = type.Contains("csv", StringComparison.OrdinalIgnoreCase) || type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
            if (!csv && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
                throw new CdrFormatException("body", "Envie um array JSON (application/json) ou um CSV (text/csv).");
        }
        return csv ? ParseCsv(text, rejected) : ParseJson(text, rejected);
    }

    private static List<(int, CdrRow, string)> ParseJson(string text, List<CdrRejection> rejected)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new CdrFormatException("body", "JSON malformado.");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new CdrFormatException("body", "O corpo deve ser um array JSON de CDRs.");
            var list = new List<(int, CdrRow, string)>();
            var line = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                line++;
                if (e.ValueKind != JsonValueKind.Object)
                {
                    rejected.Add(new CdrRejection(line, "body", "Cada CDR deve ser um objeto JSON."));
                    continue;
                }
                string? badField = null;
                string? Str(string name)
                {
                    if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
                    try
                    {
                        return v.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        // an escaped lone surrogate ("\ud800"): valid JSON, but no text
                        badField ??= name;
                        return null;
                    }
                }
                DateTimeOffset? start;
                try
                {
                    start = e.TryGetProperty("start", out var s) && s.ValueKind == JsonValueKind.String && s.TryGetDateTimeOffset(out var dt) ? dt : null;
                }
                catch (InvalidOperationException)
                {
                    // System.Text.Json throws (instead of answering false) on an escaped lone surrogate
                    start = null;
                    badField ??= "start";
                }
                int? duration = e.TryGetProperty("durationSeconds", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var di) ? di : null;
                var row = new CdrRow(Str("callId"), Str("account"), Str("destination"), Str("direction"), start, duration);
                if (badField is not null)
                {
                    rejected.Add(new CdrRejection(line, badField, "Texto com caracteres inválidos."));
                    continue;
                }
                list.Add((line, row, e.GetRawText()));
            }
            return list;
        }
    }

    private static readonly string[] CsvColumns = ["callId", "account", "destination", "direction", "start", "durationSeconds"];

    private static List<(int, CdrRow, string)> ParseCsv(string text, List<CdrRejection> rejected)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var firstLine = text.Split('\n', 2)[0];
        if (string.IsNullOrWhiteSpace(firstLine))
            throw new CdrFormatException("body", "CSV vazio: a primeira linha deve ser o cabeçalho " + string.Join(',', CsvColumns) + ".");
        var separator = firstLine.Count(c => c == ';') > firstLine.Count(c => c == ',') ? ';' : ',';
        var options = CsvReaderOptions.Default with
        {
            Separator = separator,
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            SkipEmptyLines = true,
            FormatProvider = CultureInfo.InvariantCulture,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
        };
        using var reader = CsvReader.FromText(text, options);
        var header = reader.Headers.Select(h => h.Trim()).ToList();
        var missing = CsvColumns.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
            throw new CdrFormatException("header", "Colunas ausentes no cabeçalho: " + string.Join(", ", missing) + ".");
        var idx = CsvColumns.ToDictionary(c => c, c => header.FindIndex(h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase)), StringComparer.Ordinal);
        var list = new List<(int, CdrRow, string)>();
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var count = reader.FieldCount;
            string? F(string c)
            {
                var i = idx[c];
                var v = i < count ? reader.GetString(i)?.Trim() : null;
                return string.IsNullOrEmpty(v) ? null : v;
            }
            var raw = string.Join(separator, Enumerable.Range(0, count).Select(i => reader.GetString(i) ?? ""));
            DateTimeOffset? start = DateTimeOffset.TryParse(F("start"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var st) ? st : null;
            int? duration = int.TryParse(F("durationSeconds"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var du) ? du : null;
            if (F("start") is not null && start is null) { rejected.Add(new CdrRejection(line, "start", "Data/hora inválida (use ISO 8601).")); continue; }
            if (F("durationSeconds") is not null && duration is null) { rejected.Add(new CdrRejection(line, "durationSeconds", "Duração não é um número inteiro.")); continue; }
            list.Add((line, new CdrRow(F("callId"), F("account"), F("destination"), F("direction")?.ToLowerInvariant(), start, duration), raw));
        }
        return list;
    }
}
