using System.Collections.Frozen;
using Billing.GrainInterfaces.Rating;

namespace Billing.Grains.Numbering;

/// <summary>
/// Classifies a dialled number from the circuit's own DDD. Pure: no I/O, no Orleans.
/// <para>Accepted formats (spaces, '-', '.', '(' and ')' are ignored; anything else that is not a digit is invalid):</para>
/// <list type="bullet">
/// <item>1xx short codes (190, 192, 193…) → emergencia;</item>
/// <item>8-digit fixed (starts 2–5) and 9-digit mobile (starts 9) local numbers;</item>
/// <item>300x/400x "número único" (4004 xxxx, optionally after the DDD) → nao_geografico;</item>
/// <item>DDD + number (10/11 digits), 0 + DDD + number (11/12), 0 + CSP + DDD + number (13/14);</item>
/// <item>0800 → gratuito; 0300 / 0303 / 0500 → nao_geografico; 0900 → especial (10 or 11 digits);</item>
/// <item>00 + CSP + country + number → ldi (00 + CSP + 55 … is national);</item>
/// <item>90 + CSP + DDD + number (14/15 digits) and 9090 + local number (12/13) → a_cobrar;</item>
/// <item>E.164: '+55…' or '55…' with 12/13 digits is national; '+' anything else, or 12–15 digits without
/// '+' not starting with 0 or 55, is international.</item>
/// </list>
/// Mobile = 9-digit subscriber number starting with 9; its area is VC1 in the same DDD, VC2 when the first DDD
/// digit is the same, VC3 otherwise.
/// </summary>
public static class NumberClassifier
{
    private static readonly FrozenSet<string> UniqueNumberPrefixes = new[]
    {
        "3003", "3004", "4000", "4001", "4002", "4003", "4004", "4007", "4020", "4062", "4090",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> NonGeographicCodes = new[] { "800", "300", "303", "500", "900" }
        .ToFrozenSet(StringComparer.Ordinal);

    public static ClassificationResult Classify(string homeAreaCode, string dialled)
    {
        if (!Ddds.IsValid(homeAreaCode))
            return Invalid($"O DDD do circuito ('{homeAreaCode}') não existe.");
        if (string.IsNullOrWhiteSpace(dialled))
            return Invalid("Número de destino vazio.");

        var plus = false;
        Span<char> buf = stackalloc char[32];
        var n = 0;
        var text = dialled.Trim();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                if (n == buf.Length) return Invalid("Número de destino longo demais.");
                buf[n++] = c;
            }
            else if (c == '+' && i == 0) plus = true;
            else if (c is ' ' or '-' or '.' or '(' or ')') continue;
            else return Invalid($"O número de destino contém um caractere inválido ('{c}').");
        }
        if (n == 0) return Invalid("O número de destino não tem dígitos.");
        var d = new string(buf[..n]);
        return plus ? ClassifyE164(homeAreaCode, d, csp: null) : ClassifyDialled(homeAreaCode, d);
    }

    private static ClassificationResult ClassifyDialled(string home, string d)
    {
        var len = d.Length;

        // 1xx short codes: emergency and public utility
        if (len == 3 && d[0] == '1') return Valid(new(CallType.Emergencia, MobileArea.None, d, null, null));

        if (d.StartsWith("00", StringComparison.Ordinal))
        {
            // 00 + CSP + country + number
            if (len < 4 + 7) return Invalid("Número internacional curto demais (use 00 + operadora + país + número).");
            var csp = d.Substring(2, 2);
            if (!IsCsp(csp)) return Invalid($"Código de operadora (CSP) inválido: '{csp}'.");
            return ClassifyE164(home, d[4..], csp);
        }

        if (d[0] == '0')
        {
            // 0800 / 0300 / 0303 / 0500 / 0900 (DDDs 30, 50, 80 and 90 do not exist, so no clash with 0 + DDD)
            if (len is 10 or 11 && NonGeographicCodes.Contains(d.Substring(1, 3)))
                return NonGeographic(d);
            if (len is >= 4 and < 13 && NonGeographicCodes.Contains(d.Substring(1, 3)))
                return Invalid($"Número 0{d.Substring(1, 3)} deve ter 10 ou 11 dígitos; recebido {len}.");
            // 0 + DDD + number
            if (len is 11 or 12) return National(home, d.Substring(1, 2), d[3..], csp: null);
            // 0 + CSP + DDD + number
            if (len is 13 or 14)
            {
                var csp = d.Substring(1, 2);
                if (!IsCsp(csp)) return Invalid($"Código de operadora (CSP) inválido: '{csp}'.");
                return National(home, d.Substring(3, 2), d[5..], csp);
            }
            return Invalid($"Número com 0 na frente deve ter 11 ou 12 dígitos (0 + DDD + número) ou 13 ou 14 (0 + operadora + DDD + número); recebido {len}.");
        }

        // collect calls: 90 + CSP + DDD + number, or 9090 + local number
        // (12/13 digits starting 90 but not 9090 fall through: Turkey, +90, without '+')
        if (len is 12 or 13 && d.StartsWith("9090", StringComparison.Ordinal))
            return Collect(National(home, home, d[4..], csp: null));
        if (len is 14 or 15 && d.StartsWith("90", StringComparison.Ordinal))
        {
            var csp = d.Substring(2, 2);
            if (!IsCsp(csp)) return Invalid($"Código de operadora (CSP) inválido: '{csp}'.");
            return Collect(National(home, d.Substring(4, 2), d[6..], csp));
        }

        switch (len)
        {
            case 8 or 9:
                return National(home, home, d, csp: null);
            case 10 or 11:
                return National(home, d[..2], d[2..], csp: null);
            case 12 or 13 when d.StartsWith("55", StringComparison.Ordinal):
                return National(home, d.Substring(2, 2), d[4..], csp: null);
            case >= 12 and <= 15:
                return International(d, csp: null);
            default:
                return Invalid($"Número de destino com tamanho inválido ({len} dígitos).");
        }
    }

    /// <summary>E.164 digits (after '+' or 00+CSP): 55 is national, anything else international.</summary>
    private static ClassificationResult ClassifyE164(string home, string d, string? csp)
    {
        if (d.StartsWith("55", StringComparison.Ordinal))
        {
            // +55 800…, +55 300…: the E.164 form of 0800 / 0300 / 0303 / 0500 / 0900
            if (d.Length is 11 or 12 && NonGeographicCodes.Contains(d.Substring(2, 3))) return NonGeographic("0" + d[2..]);
            if (d.Length is 12 or 13) return National(home, d.Substring(2, 2), d[4..], csp);
            return Invalid($"Número brasileiro em formato internacional deve ter 12 ou 13 dígitos (55 + DDD + número); recebido {d.Length}.");
        }
        return International(d, csp);
    }

    private static ClassificationResult International(string d, string? csp)
    {
        if (d[0] == '0') return Invalid("Código de país não pode começar com 0.");
        if (d.Length is < 7 or > 15) return Invalid($"Número internacional deve ter de 7 a 15 dígitos (país + número); recebido {d.Length}.");
        return Valid(new(CallType.Ldi, MobileArea.None, "+" + d, null, CountryCodes.Of(d), csp));
    }

    private static ClassificationResult NonGeographic(string d)
    {
        var type = d.Substring(1, 3) switch
        {
            "800" => CallType.Gratuito,
            "900" => CallType.Especial,
            _ => CallType.NaoGeografico,
        };
        return Valid(new(type, MobileArea.None, "+55" + d[1..], null, null));
    }

    private static ClassificationResult National(string home, string ddd, string subscriber, string? csp)
    {
        if (!Ddds.IsValid(ddd)) return Invalid($"DDD inexistente: '{ddd}'.");
        var normalized = "+55" + ddd + subscriber;
        if (subscriber.Length == 8 && UniqueNumberPrefixes.Contains(subscriber[..4]))
            return Valid(new(CallType.NaoGeografico, MobileArea.None, normalized, ddd, null, csp));
        if (subscriber.Length == 9)
        {
            if (subscriber[0] != '9') return Invalid("Número de 9 dígitos deve ser celular (começar com 9).");
            var sameDdd = string.Equals(ddd, home, StringComparison.Ordinal);
            var area = sameDdd ? MobileArea.Vc1 : ddd[0] == home[0] ? MobileArea.Vc2 : MobileArea.Vc3;
            return Valid(new(sameDdd ? CallType.LocalMovel : CallType.LdnMovel, area, normalized, ddd, null, csp));
        }
        if (subscriber.Length == 8)
        {
            if (subscriber[0] is < '2' or > '5')
                return Invalid("Número fixo de 8 dígitos deve começar com 2, 3, 4 ou 5 (celulares têm 9 dígitos).");
            var sameDdd = string.Equals(ddd, home, StringComparison.Ordinal);
            return Valid(new(sameDdd ? CallType.LocalFixo : CallType.LdnFixo, MobileArea.None, normalized, ddd, null, csp));
        }
        return Invalid($"Número de assinante deve ter 8 (fixo) ou 9 (celular) dígitos; recebido {subscriber.Length}.");
    }

    private static ClassificationResult Collect(ClassificationResult national) =>
        national.Classification is { } c
            ? Valid(c with { CallType = CallType.ACobrar })
            : national;

    private static bool IsCsp(string csp) => csp.Length == 2 && csp[0] is >= '1' and <= '9' && char.IsAsciiDigit(csp[1]);

    private static ClassificationResult Valid(NumberClassification c) => ClassificationResult.Valid(c);

    private static ClassificationResult Invalid(string reason) => ClassificationResult.Invalid(reason);
}
