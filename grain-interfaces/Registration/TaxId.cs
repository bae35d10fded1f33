namespace Billing.GrainInterfaces.Registration;

/// <summary>Kind of a Brazilian taxpayer document: CPF (pessoa física) or CNPJ (pessoa jurídica).</summary>
public enum TaxIdKind
{
    Cpf,
    Cnpj,
}

/// <summary>
/// CPF and CNPJ: normalization, check-digit validation and formatting. Pure code (no Orleans, no I/O).
/// <para>
/// CPF: 11 digits, two mod-11 check digits (weights 10..2 and 11..2).
/// CNPJ: 14 characters; the first 12 may be alphanumeric <c>[0-9A-Z]</c> (alphanumeric CNPJ, valid from
/// July 2026), the last 2 are numeric check digits. Each character is worth its ASCII code − 48
/// (so '0'..'9' = 0..9 and 'A'..'Z' = 17..42) and the classic mod-11 weights apply
/// (5,4,3,2,9,8,7,6,5,4,3,2 then 6,5,4,3,2,9,8,7,6,5,4,3,2).
/// </para>
/// </summary>
public static class TaxId
{
    private static readonly int[] CnpjWeights1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
    private static readonly int[] CnpjWeights2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

    /// <summary>
    /// Removes the usual punctuation (<c>. - / space</c>) and upper-cases letters. Returns null when any
    /// other character is present (the input is then not a document at all).
    /// </summary>
    public static string? Normalize(string? input)
    {
        if (input is null) return null;
        Span<char> buffer = input.Length <= 64 ? stackalloc char[input.Length] : new char[input.Length];
        var n = 0;
        foreach (var c in input)
        {
            if (c is '.' or '-' or '/' or ' ' or '\t') continue;
            if (c is >= '0' and <= '9') buffer[n++] = c;
            else if (c is >= 'A' and <= 'Z') buffer[n++] = c;
            else if (c is >= 'a' and <= 'z') buffer[n++] = (char)(c - 'a' + 'A');
            else return null;
        }
        return new string(buffer[..n]);
    }

    /// <summary>Validates a document in any accepted spelling; on success returns its normalized form and kind.</summary>
    public static bool TryParse(string? input, out string normalized, out TaxIdKind kind, out string? error)
    {
        normalized = "";
        kind = TaxIdKind.Cpf;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "Informe o CPF ou o CNPJ.";
            return false;
        }
        var n = Normalize(input);
        if (n is null)
        {
            error = "CPF/CNPJ contém caracteres inválidos: use apenas dígitos, letras (CNPJ alfanumérico) e a pontuação . - /";
            return false;
        }
        switch (n.Length)
        {
            case 11:
                if (!IsAllDigits(n))
                {
                    error = "CPF deve ter apenas dígitos.";
                    return false;
                }
                if (!IsValidCpf(n))
                {
                    error = "CPF inválido: os dígitos verificadores não conferem.";
                    return false;
                }
                kind = TaxIdKind.Cpf;
                break;
            case 14:
                if (!IsDigit(n[12]) || !IsDigit(n[13]))
                {
                    error = "CNPJ inválido: os dois últimos caracteres (dígitos verificadores) devem ser numéricos.";
                    return false;
                }
                if (!IsValidCnpj(n))
                {
                    error = "CNPJ inválido: os dígitos verificadores não conferem.";
                    return false;
                }
                kind = TaxIdKind.Cnpj;
                break;
            default:
                error = "CPF deve ter 11 dígitos e CNPJ 14 caracteres.";
                return false;
        }
        normalized = n;
        error = null;
        return true;
    }

    public static bool IsValid(string? input) => TryParse(input, out _, out _, out _);

    /// <summary>Validates a normalized CPF (11 digits).</summary>
    public static bool IsValidCpf(string cpf)
    {
        ArgumentNullException.ThrowIfNull(cpf);
        if (cpf.Length != 11 || !IsAllDigits(cpf) || AllSame(cpf)) return false;
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += (cpf[i] - '0') * (10 - i);
        var d1 = CheckDigit(sum);
        if (d1 != cpf[9] - '0') return false;
        sum = 0;
        for (var i = 0; i < 10; i++) sum += (cpf[i] - '0') * (11 - i);
        return CheckDigit(sum) == cpf[10] - '0';
    }

    /// <summary>Validates a normalized CNPJ (12 characters [0-9A-Z] + 2 check digits).</summary>
    public static bool IsValidCnpj(string cnpj)
    {
        ArgumentNullException.ThrowIfNull(cnpj);
        if (cnpj.Length != 14 || AllSame(cnpj)) return false;
        for (var i = 0; i < 12; i++)
            if (!IsDigit(cnpj[i]) && cnpj[i] is not (>= 'A' and <= 'Z')) return false;
        if (!IsDigit(cnpj[12]) || !IsDigit(cnpj[13])) return false;
        return CnpjCheckDigits(cnpj.AsSpan(0, 12)) == (cnpj[12] - '0', cnpj[13] - '0');
    }

    /// <summary>Computes the two check digits of a 12-character CNPJ base (also alphanumeric).</summary>
    public static (int First, int Second) CnpjCheckDigits(ReadOnlySpan<char> base12)
    {
        if (base12.Length != 12) throw new ArgumentException("A base do CNPJ tem 12 caracteres.", nameof(base12));
        var sum = 0;
        for (var i = 0; i < 12; i++) sum += (base12[i] - '0') * CnpjWeights1[i];
        var d1 = CheckDigit(sum);
        sum = 0;
        for (var i = 0; i < 12; i++) sum += (base12[i] - '0') * CnpjWeights2[i];
        sum += d1 * CnpjWeights2[12];
        return (d1, CheckDigit(sum));
    }

    /// <summary>Kind of an already normalized, valid document.</summary>
    public static TaxIdKind KindOf(string normalized) =>
        normalized?.Length == 11 ? TaxIdKind.Cpf : TaxIdKind.Cnpj;

    /// <summary>"PF" for CPF, "PJ" for CNPJ.</summary>
    public static string TipoPessoa(string normalized) => KindOf(normalized) == TaxIdKind.Cpf ? "PF" : "PJ";

    /// <summary>
    /// Formats a normalized document: <c>000.000.000-00</c> or <c>00.000.000/0000-00</c> (alphanumeric
    /// CNPJs keep their letters, e.g. <c>12.ABC.345/01DE-35</c>). Anything else is returned unchanged.
    /// </summary>
    public static string Format(string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return normalized.Length switch
        {
            11 => $"{normalized[..3]}.{normalized[3..6]}.{normalized[6..9]}-{normalized[9..]}",
            14 => $"{normalized[..2]}.{normalized[2..5]}.{normalized[5..8]}/{normalized[8..12]}-{normalized[12..]}",
            _ => normalized,
        };
    }

    private static int CheckDigit(int sum)
    {
        var r = sum % 11;
        return r < 2 ? 0 : 11 - r;
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsAllDigits(string s)
    {
        foreach (var c in s)
            if (!IsDigit(c)) return false;
        return true;
    }

    private static bool AllSame(string s)
    {
        for (var i = 1; i < s.Length; i++)
            if (s[i] != s[0]) return false;
        return true;
    }
}
