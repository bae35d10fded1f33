using System.Globalization;

namespace Billing.Api.Web;

/// <summary>Form input helpers of the admin pages (their database lookups are <see cref="Application.LookupQueries"/>).</summary>
public static class AdminLookups
{
    /// <summary>"1.234,56" (pt-BR, with a comma) or "1234.56"; null when empty; false when not a number.</summary>
    public static bool TryMoney(string? text, out decimal? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var t = text.Trim().Replace("R$", "", StringComparison.Ordinal).Trim();
        var culture = t.Contains(',', StringComparison.Ordinal) ? CultureInfo.GetCultureInfo("pt-BR") : CultureInfo.InvariantCulture;
        if (!decimal.TryParse(t, NumberStyles.Number, culture, out var d)) return false;
        value = d;
        return true;
    }
}
