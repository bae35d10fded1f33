namespace Billing.GrainInterfaces.Common;

/// <summary>
/// What the database can hold, checked at the edge so PostgreSQL never refuses input (a refused row would fail a
/// request with 500, or worse, a whole group commit). Every text, number and date that reaches a column passes
/// one of these; each answers a pt-BR problem or null.
/// </summary>
public static class InputRules
{
    /// <summary>numeric(14,6): prices per minute.</summary>
    public const decimal MaxPrice = 99_999_999.999999m;

    /// <summary>
    /// True when the text has a character PostgreSQL refuses (NUL) or no person types in a field: C0/C1 control
    /// characters (tab, CR and LF only where <paramref name="multiline"/>), and lone UTF-16 surrogates (not valid
    /// UTF-8). Everything else of Unicode is fine (accents, emoji).
    /// </summary>
    public static bool HasForbiddenCharacters(string text, bool multiline = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return true;
            }
            if (char.IsLowSurrogate(c)) return true;
            if (multiline && c is '\t' or '\r' or '\n') continue;
            if (char.IsControl(c)) return true;
        }
        return false;
    }

    /// <summary>
    /// Problem of an optional text field: null/empty is fine (say so with <see cref="RequiredText"/>); too long or
    /// with forbidden characters is not.
    /// </summary>
    public static string? Text(string? value, int maxLength, bool multiline = false)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > maxLength) return $"Texto longo demais (máximo {maxLength} caracteres).";
        if (HasForbiddenCharacters(value, multiline)) return "Contém caracteres de controle ou inválidos.";
        return null;
    }

    /// <summary>Problem of a required text field (blank counts as missing).</summary>
    public static string? RequiredText(string? value, int maxLength, bool multiline = false) =>
        string.IsNullOrWhiteSpace(value) ? "Campo obrigatório." : Text(value, maxLength, multiline);

    /// <summary>Problem of a price per minute: not negative, at most 6 decimals, within numeric(14,6).</summary>
    public static string? Price(decimal value)
    {
        if (value < 0) return "O preço não pode ser negativo.";
        if (value > MaxPrice) return "Preço fora do limite aceito.";
        if (decimal.Round(value, 6) != value) return "Use no máximo 6 casas decimais.";
        return null;
    }

    /// <summary>Problem of a whole number that must lie in [min, max].</summary>
    public static string? Range(long value, long min, long max) =>
        value < min || value > max ? $"Deve estar entre {min} e {max}." : null;

    /// <summary>
    /// Problem of a moment a switch or an import reports (call start, answer): it must lie in
    /// [now − <paramref name="pastDays"/> days, now + <paramref name="futureDays"/> days]. Far dates are typing or
    /// clock errors and would open billing periods nobody closes.
    /// </summary>
    public static string? Moment(DateTimeOffset value, DateTimeOffset now, int pastDays, int futureDays)
    {
        if (value < now.AddDays(-pastDays)) return $"Data anterior ao limite aceito ({pastDays} dias atrás).";
        if (value > now.AddDays(futureDays)) return $"Data posterior ao limite aceito ({futureDays} dia(s) à frente).";
        return null;
    }

    /// <summary>How far back an admin-typed date may go (billing, due, start dates; filters).</summary>
    public const int PastYears = 10;

    /// <summary>How far ahead an admin-typed date may go (contracts run for years; invoices and billings are due within months).</summary>
    public const int FutureYears = 5;

    /// <summary>
    /// Problem of a calendar date an admin or customer types (billing date, due date, base date, contract start and end,
    /// date filters): it must lie in [today − <paramref name="pastYears"/> years, today + <paramref name="futureYears"/>
    /// years]. Far dates are typing errors and would materialize thousands of periods or overflow date arithmetic.
    /// </summary>
    public static string? Day(DateOnly value, DateOnly today, int pastYears = PastYears, int futureYears = FutureYears)
    {
        var min = today.AddYears(-pastYears);
        var max = today.AddYears(futureYears);
        return value < min || value > max
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Data fora do intervalo aceito ({min:dd/MM/yyyy} a {max:dd/MM/yyyy}).")
            : null;
    }

    /// <summary>A copy safe to store for review (e.g. a rejected CDR line): forbidden characters become U+FFFD.</summary>
    public static string Printable(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = new System.Text.StringBuilder(Math.Min(text.Length, maxLength));
        for (var i = 0; i < text.Length && chars.Length < maxLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                chars.Append(c).Append(text[++i]);
                continue;
            }
            chars.Append(char.IsSurrogate(c) || (char.IsControl(c) && c is not ('\t' or '\r' or '\n')) ? '\uFFFD' : c);
        }
        return chars.ToString();
    }
}
