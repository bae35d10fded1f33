using System.Globalization;

namespace Billing.Grains.Documents;

/// <summary>pt-BR formatting, used only at the edge (documents): <c>R$ 1.606,08</c>, <c>dd/MM/yyyy</c>.</summary>
public static class PtBr
{
    public static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>"R$ 1.606,08" (negative: "-R$ 1,00"), with a normal space: <see cref="GrainInterfaces.Common.Money.Format"/>.</summary>
    public static string Money(decimal value) => GrainInterfaces.Common.Money.Format(value);

    /// <summary>"1.606,08" (no currency), money: <see cref="GrainInterfaces.Common.Money.Number"/>.</summary>
    public static string Number(decimal value) => GrainInterfaces.Common.Money.Number(value);

    /// <summary>A quantity that is not money with its own precision (minutes, price per minute with 6 decimals).</summary>
    public static string Number(decimal value, int decimals) =>
        value.ToString(decimals == 0 ? "#,##0" : "#,##0." + new string('0', decimals), Culture);

    public static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", Culture);

    public static string Date(DateTimeOffset at) =>
        Billing.GrainInterfaces.Common.SaoPauloTime.Local(at).ToString("dd/MM/yyyy", Culture);

    public static string DateTime(DateTimeOffset at) =>
        Billing.GrainInterfaces.Common.SaoPauloTime.Local(at).ToString("dd/MM/yyyy HH:mm:ss", Culture);

    public static string Duration(long seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");
}
