using System.Collections.Frozen;

namespace Billing.Grains.Numbering;

/// <summary>The 67 Brazilian area codes (DDD) in use (Anatel).</summary>
public static class Ddds
{
    public static readonly FrozenSet<string> All = new[]
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19",
        "21", "22", "24", "27", "28",
        "31", "32", "33", "34", "35", "37", "38",
        "41", "42", "43", "44", "45", "46", "47", "48", "49",
        "51", "53", "54", "55",
        "61", "62", "63", "64", "65", "66", "67", "68", "69",
        "71", "73", "74", "75", "77", "79",
        "81", "82", "83", "84", "85", "86", "87", "88", "89",
        "91", "92", "93", "94", "95", "96", "97", "98", "99",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsValid(string? ddd) => ddd is { Length: 2 } && All.Contains(ddd);
}

/// <summary>ITU country calling codes, enough to split an international number into country and national part.</summary>
public static class CountryCodes
{
    // Every 2-digit code in use; "1" and "7" are the 1-digit zones; anything else is 3 digits.
    private static readonly FrozenSet<string> TwoDigit = new[]
    {
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48", "49",
        "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66",
        "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The country code at the start of <paramref name="digits"/> (international number without '+').</summary>
    public static string Of(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (digits.Length == 0) return "";
        if (digits[0] is '1' or '7') return digits[..1];
        if (digits.Length >= 2 && TwoDigit.Contains(digits[..2])) return digits[..2];
        return digits.Length >= 3 ? digits[..3] : digits;
    }
}
