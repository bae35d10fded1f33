using System.Globalization;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using CsvHelper;

namespace Billing.Api.Application;

public sealed record CdrRow(string? CallId, string? Account, string? Destination, string? Direction, DateTimeOffset? Start, int? DurationSeconds);

public sealed record CdrRejection(int Line, string Field, string Reason);

public sealed record CdrImportResult(int Accepted, int Duplicates, IReadOnlyList<CdrRejection> Rejected);

/// <summary>
/// Batch CDR import (calls the switch could not complete live): parses a CSV or JSON array, checks every row,
/// completes the good ones on their circuits (a duplicate call id is never billed twice) and keeps the rejected
/// lines for the operator. A malformed file (no header, not JSON…) is Invalid and changes nothing.
/// </summary>
public sealed class CdrImportService(IClusterClient cluster, CallMetrics metrics, ILogger<CdrImportService> log)
{
    public const int MaxCdrsPerImport = 50_000;

    public async Task<CommandResult<CdrImportResult>> Import(string text, bool csv, CancellationToken aborted)
    {
        List<(int Line, CdrRow Row, string Raw)> rows;
        var rejected = new List<CdrRejection>();
        try
        {
            rows = csv ? ParseCsv(text, rejected) : ParseJson(text, rejected);
        }
        catch (CdrFormatException e)
        {
            return CommandResult<CdrImportResult>.Invalid(e.Field, e.Message);
        }
        if (rows.Count + rejected.Count > MaxCdrsPerImport)
            return CommandResult<CdrImportResult>.Invalid("body", $"No máximo {MaxCdrsPerImport} CDRs por envio.");

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
            catch (Exception e) when (e is not OperationCanceledException || !aborted.IsCancellationRequested)
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
        return CommandResult<CdrImportResult>.Ok(new CdrImportResult(accepted, duplicates, rejected));
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
        if (!CallInput.ValidCallId(r.CallId)) { reason = "Identificador de chamada ausente ou inválido."; return "callId"; }
        if (!CircuitKeys.IsValidAccount(r.Account)) { reason = "Circuito ausente ou inválido."; return "account"; }
        if (string.IsNullOrWhiteSpace(r.Destination) || CallInput.NumberProblem(r.Destination) is not null) { reason = "Destino ausente ou inválido."; return "destination"; }
        if (r.Direction is not ("outbound" or "inbound")) { reason = "Use 'outbound' ou 'inbound'."; return "direction"; }
        if (r.Start is null) { reason = "Início da chamada ausente ou inválido (ISO 8601)."; return "start"; }
        if (r.DurationSeconds is null or < 0 or > 86_400) { reason = "Duração deve estar entre 0 e 86400 segundos."; return "durationSeconds"; }
        return null;
    }

    internal sealed class CdrFormatException(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
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
        var options = CsvInput.Lenient(separator);
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
