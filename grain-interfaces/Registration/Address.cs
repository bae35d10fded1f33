using System.Collections.Frozen;

namespace Billing.GrainInterfaces.Registration;

/// <summary>CEP (Código de Endereçamento Postal): 8 digits, shown as <c>00000-000</c>.</summary>
public static class Cep
{
    /// <summary>Accepts <c>01310-100</c>, <c>01310100</c>, <c>01.310-100</c>; returns the 8 digits or null.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null) return null;
        Span<char> digits = stackalloc char[8];
        var n = 0;
        foreach (var c in input)
        {
            if (c is '-' or '.' or ' ') continue;
            if (c is < '0' or > '9' || n == 8) return null;
            digits[n++] = c;
        }
        return n == 8 ? new string(digits) : null;
    }

    public static bool IsValid(string? input) => Normalize(input) is not null;

    public static string Format(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return normalized.Length == 8 ? string.Concat(normalized.AsSpan(0, 5), "-", normalized.AsSpan(5)) : normalized;
    }
}

/// <summary>The 27 federative units of Brazil (26 states and the Distrito Federal).</summary>
public static class Uf
{
    private static readonly FrozenDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AC"] = "Acre",
        ["AL"] = "Alagoas",
        ["AP"] = "Amapá",
        ["AM"] = "Amazonas",
        ["BA"] = "Bahia",
        ["CE"] = "Ceará",
        ["DF"] = "Distrito Federal",
        ["ES"] = "Espírito Santo",
        ["GO"] = "Goiás",
        ["MA"] = "Maranhão",
        ["MT"] = "Mato Grosso",
        ["MS"] = "Mato Grosso do Sul",
        ["MG"] = "Minas Gerais",
        ["PA"] = "Pará",
        ["PB"] = "Paraíba",
        ["PR"] = "Paraná",
        ["PE"] = "Pernambuco",
        ["PI"] = "Piauí",
        ["RJ"] = "Rio de Janeiro",
        ["RN"] = "Rio Grande do Norte",
        ["RS"] = "Rio Grande do Sul",
        ["RO"] = "Rondônia",
        ["RR"] = "Roraima",
        ["SC"] = "Santa Catarina",
        ["SP"] = "São Paulo",
        ["SE"] = "Sergipe",
        ["TO"] = "Tocantins",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>All 27 codes, alphabetical.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Trims and upper-cases a code; returns null when it is not one of the 27 units.</summary>
    public static string? Normalize(string? input)
    {
        if (input is null) return null;
        var code = input.Trim().ToUpperInvariant();
        return Names.ContainsKey(code) ? code : null;
    }

    public static bool IsValid(string? input) => Normalize(input) is not null;

    public static string? NameOf(string code) => Names.TryGetValue(code, out var name) ? name : null;
}

/// <summary>
/// Practical e-mail address validation (what an operator can actually deliver to): one <c>@</c>, a dot-atom
/// local part of at most 64 characters, and a domain of DNS labels with a top-level domain of 2+ letters.
/// </summary>
public static class Email
{
    private const string LocalSpecials = "!#$%&'*+/=?^_`{|}~-";

    public static string? Normalize(string? input)
    {
        if (input is null) return null;
        var s = input.Trim();
        var at = s.LastIndexOf('@');
        if (at <= 0 || at == s.Length - 1) return null;
        // domains are case-insensitive; the local part is kept as typed
        var normalized = string.Concat(s.AsSpan(0, at + 1), s[(at + 1)..].ToLowerInvariant());
        return IsValidNormalized(normalized) ? normalized : null;
    }

    public static bool IsValid(string? input) => Normalize(input) is not null;

    private static bool IsValidNormalized(string s)
    {
        if (s.Length > 254) return false;
        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (at != s.LastIndexOf('@')) return false;
        var local = s.AsSpan(0, at);
        var domain = s.AsSpan(at + 1);
        if (local.Length is 0 or > 64 || local[0] == '.' || local[^1] == '.') return false;
        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c == '.')
            {
                if (local[i - 1] == '.') return false;
                continue;
            }
            if (!char.IsAsciiLetterOrDigit(c) && !LocalSpecials.Contains(c, StringComparison.Ordinal)) return false;
        }
        if (domain.Length is 0 or > 253) return false;
        var labels = domain.ToString().Split('.');
        if (labels.Length < 2) return false;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
        }
        var tld = labels[^1];
        return tld.Length >= 2 && tld.All(char.IsAsciiLetter);
    }
}
