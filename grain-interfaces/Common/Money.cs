using System.Globalization;

namespace Billing.GrainInterfaces.Common;

/// <summary>
/// The one set of money rules, in reais: rounding to centavos (once, half away from zero), the "at most 2 decimals"
/// rule of what people type, the numeric(14,2) cap of every money column, and the pt-BR formatter
/// (<c>R$ 1.234,56</c>, negatives <c>-R$ 1,00</c>). Rating, billing, documents, the API and the pages all use it; the
/// browser's "Valor Real" script follows the same rule (see the Faturar page).
/// </summary>
public static class Money
{
    /// <summary>numeric(14,2): the largest amount a money column holds (balances, amounts, credits, fees).</summary>
    public const decimal Max = 999_999_999_999.99m;

    public static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>The .NET format of an amount without the symbol under <see cref="PtBr"/>: "1.234,56".</summary>
    public const string NumberFormat = "#,##0.00";

    /// <summary>To centavos, half away from zero (0,005 → 0,01; -0,005 → -0,01).</summary>
    public static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>True when the amount has no fraction of a centavo (what a person may type: 10, 10,5, 10,55).</summary>
    public static bool HasAtMostTwoDecimals(decimal value) => Round(value) == value;

    /// <summary>True when the amount fits numeric(14,2) in magnitude.</summary>
    public static bool WithinCap(decimal value) => Math.Abs(value) <= Max;

    /// <summary>Problem of an amount typed in reais (pt-BR), or null: not negative unless allowed, within the cap, ≤ 2 decimals.</summary>
    public static string? Problem(decimal value, bool allowNegative = false)
    {
        if (!allowNegative && value < 0) return "O valor não pode ser negativo.";
        if (!WithinCap(value)) return "Valor fora do limite aceito.";
        if (!HasAtMostTwoDecimals(value)) return "Use no máximo 2 casas decimais.";
        return null;
    }

    /// <summary>"R$ 1.234,56"; negatives "-R$ 1,00" (sign before the symbol); rounded to centavos first, never "-R$ 0,00".</summary>
    public static string Format(decimal value)
    {
        var r = Round(value);
        return (r < 0 ? "-R$ " : "R$ ") + Math.Abs(r).ToString(NumberFormat, PtBr);
    }

    /// <summary>"1.234,56" without the symbol (table cells under a "(R$)" header, CSV); negatives "-1,00"; rounded to centavos first.</summary>
    public static string Number(decimal value)
    {
        var r = Round(value);
        return (r < 0 ? "-" : "") + Math.Abs(r).ToString(NumberFormat, PtBr);
    }
}
