using Billing.GrainInterfaces.Common;
using System.Globalization;
using Billing.GrainInterfaces.Rating;
using CsvHelper;

namespace Billing.Grains.Rating;

/// <summary>Result of parsing a rate-deck CSV: all rows, or every bad line (then <see cref="Rows"/> is empty).</summary>
public sealed record RateDeckParseResult(IReadOnlyList<RateDeckRow> Rows, IReadOnlyList<DeckLineError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Parses a rate deck with CsvHelper. Header (any order, case-insensitive, extra columns ignored):
/// <c>prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds</c>.
/// Separator <c>,</c> or <c>;</c> (detected from the header); decimals with a point or a comma (a comma needs
/// quotes when the separator is also a comma). All-or-nothing: every bad line is reported with its line
/// number, column and a pt-BR reason.
/// </summary>
public static class RateDeckCsvParser
{
    public const string Prefix = "prefix";
    public const string Destination = "destination";
    public const string PricePerMinute = "price_per_minute";
    public const string ConnectFee = "connect_fee";
    public const string InitialBlock = "initial_block";
    public const string Increment = "increment";
    public const string MinimumSeconds = "minimum_seconds";

    public static readonly IReadOnlyList<string> Columns =
        [Prefix, Destination, PricePerMinute, ConnectFee, InitialBlock, Increment, MinimumSeconds];

    public const int MaxPrefixDigits = 15;
    public const int MaxDestinationLength = 120;
    public const int MaxBlockSeconds = 3600;
    public const int MaxMinimumSeconds = 86400;

    public static RateDeckParseResult Parse(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (csv.Length > 0 && csv[0] == '\uFEFF') csv = csv[1..];
        var firstLine = csv.AsSpan();
        var nl = firstLine.IndexOfAny('\r', '\n');
        if (nl >= 0) firstLine = firstLine[..nl];
        if (firstLine.IsWhiteSpace())
            return Fail(new DeckLineError(1, null, "Arquivo vazio ou sem cabeçalho na primeira linha: esperado " + string.Join(",", Columns) + "."));
        var separator = firstLine.Contains(';') ? ';' : ',';

        var errors = new List<DeckLineError>();
        var malformed = new HashSet<long>();
        var options = CsvInput.Lenient(separator) with
        {
            OnMalformedRecord = m =>
            {
                if (m.Reason == CsvMalformedReason.FieldCountMismatch) return;
                var line = (int)m.LineNumber;
                if (malformed.Add(line))
                    errors.Add(new DeckLineError(line, null, "Aspas malformadas na linha; nada foi importado."));
            },
        };
        using var csvReader = CsvReader.FromText(csv, options);

        var header = csvReader.Headers;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var headerErrors = new List<DeckLineError>();
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().ToLowerInvariant();
            if (!Columns.Contains(name)) continue;
            if (!index.TryAdd(name, i)) headerErrors.Add(new DeckLineError(1, name, "Coluna repetida no cabeçalho."));
        }
        foreach (var col in Columns)
        {
            if (!index.ContainsKey(col))
                headerErrors.Add(new DeckLineError(1, col, $"Coluna obrigatória ausente no cabeçalho (separador detectado: '{separator}')."));
        }
        if (headerErrors.Count > 0) return Fail([.. headerErrors]);

        var rows = new List<RateDeckRow>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (csvReader.Read())
        {
            var line = (int)csvReader.LineNumber;
            var lineErrors = errors.Count;
            var count = csvReader.FieldCount;
            string Field(string col)
            {
                var i = index[col];
                return i < count ? (csvReader.GetString(i) ?? "").Trim() : "";
            }
            void Err(string col, string reason) => errors.Add(new DeckLineError(line, col, reason));

            if (count != header.Count)
            {
                errors.Add(new DeckLineError(line, null,
                    $"A linha tem {count} colunas; o cabeçalho tem {header.Count} (separador '{separator}'; decimal com vírgula precisa de aspas quando o separador é vírgula)."));
                continue;
            }

            var prefix = Field(Prefix);
            if (prefix.StartsWith('+')) prefix = prefix[1..];
            if (prefix.Length == 0) Err(Prefix, "Prefixo vazio.");
            else if (!prefix.All(char.IsAsciiDigit)) Err(Prefix, $"Prefixo deve ter só dígitos: '{prefix}'.");
            else if (prefix.Length > MaxPrefixDigits) Err(Prefix, $"Prefixo com mais de {MaxPrefixDigits} dígitos.");
            else if (seen.TryGetValue(prefix, out var first)) Err(Prefix, $"Prefixo {prefix} repetido (já aparece na linha {first}).");

            var destination = Field(Destination);
            if (destination.Length == 0) Err(Destination, "Destino vazio.");
            else if (destination.Length > MaxDestinationLength) Err(Destination, $"Destino com mais de {MaxDestinationLength} caracteres.");
            else if (Billing.GrainInterfaces.Common.InputRules.Text(destination, MaxDestinationLength) is { } bad) Err(Destination, bad);

            var price = Money(Field(PricePerMinute), PricePerMinute, required: true, Err);
            var fee = Money(Field(ConnectFee), ConnectFee, required: false, Err);
            var initial = Seconds(Field(InitialBlock), InitialBlock, 1, MaxBlockSeconds, required: true, Err);
            var increment = Seconds(Field(Increment), Increment, 1, MaxBlockSeconds, required: true, Err);
            var minimum = Seconds(Field(MinimumSeconds), MinimumSeconds, 0, MaxMinimumSeconds, required: false, Err);

            if (errors.Count > lineErrors) continue;
            seen[prefix] = line;
            rows.Add(new RateDeckRow(prefix, destination, price, fee, initial, increment, minimum));
        }

        if (errors.Count == 0 && rows.Count == 0)
            errors.Add(new DeckLineError(1, null, "O arquivo não tem nenhuma linha de tarifa."));
        if (errors.Count > 0)
            return Fail([.. errors.OrderBy(e => e.Line)]);
        return new RateDeckParseResult(rows, []);
    }

    private static RateDeckParseResult Fail(params DeckLineError[] errors) => new([], errors);

    /// <summary>Decimal with a point or a comma, no sign, no thousands separator, at most 6 decimals.</summary>
    internal static decimal Money(string? raw, string column, bool required, Action<string, string> err)
    {
        if (string.IsNullOrEmpty(raw))
        {
            if (required) err(column, "Valor obrigatório.");
            return 0m;
        }
        if (raw.StartsWith('-'))
        {
            err(column, $"Valor não pode ser negativo: '{raw}'.");
            return 0m;
        }
        if (raw.Contains('.') && raw.Contains(','))
        {
            err(column, $"Use só um separador decimal (ponto ou vírgula), sem separador de milhar: '{raw}'.");
            return 0m;
        }
        var normalized = raw.Replace(',', '.');
        if (!decimal.TryParse(normalized, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            err(column, $"Não é um número válido: '{raw}'.");
            return 0m;
        }
        if (Tariff.Decimals(value) > Tariff.MaxPriceDecimals)
        {
            err(column, $"No máximo {Tariff.MaxPriceDecimals} casas decimais: '{raw}'.");
            return 0m;
        }
        if (Billing.GrainInterfaces.Common.InputRules.Price(value) is { } range)
        {
            err(column, range);
            return 0m;
        }
        return value;
    }

    internal static int Seconds(string? raw, string column, int min, int max, bool required, Action<string, string> err)
    {
        if (string.IsNullOrEmpty(raw))
        {
            if (required) err(column, "Valor obrigatório.");
            return 0;
        }
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            err(column, $"Deve ser um número inteiro de segundos: '{raw}'.");
            return 0;
        }
        if (value < min || value > max)
        {
            err(column, $"Deve estar entre {min.ToString(CultureInfo.InvariantCulture)} e {max.ToString(CultureInfo.InvariantCulture)} segundos: '{raw}'.");
            return 0;
        }
        return value;
    }
}
