using System.Globalization;

namespace Billing.Grains.Documents;

/// <summary>pt-BR formatting, used only at the edge (documents): <c>R$ 1.606,08</c>, <c>dd/MM/yyyy</c>.</summary>
public static class PtBr
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>"R$ 1.606,08" (negative: "-R$ 1,00"), with a normal space.</summary>
    public static string Money(decimal value) =>
        (value < 0 ? "-" : "") + "R$ " + Math.Abs(value).ToString("#,##0.00", Culture);

    /// <summary>"1.606,08" (no currency).</summary>
    public static string Number(decimal value, int decimals = 2) =>
        value.ToString(decimals == 0 ? "#,##0" : "#,##0." + new string('0', decimals), Culture);

    public static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", Culture);

    public static string Date(DateTimeOffset at) =>
        Billing.GrainInterfaces.Common.SaoPauloTime.Local(at).ToString("dd/MM/yyyy", Culture);

    public static string DateTime(DateTimeOffset at) =>
        Billing.GrainInterfaces.Common.SaoPauloTime.Local(at).ToString("dd/MM/yyyy HH:mm:ss", Culture);

    public static string Duration(long seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
}
