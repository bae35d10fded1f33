using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;

namespace Billing.Tests.Common;

/// <summary>The one money rule: centavos half away from zero, at most 2 decimals typed, numeric(14,2), pt-BR "R$ 1.234,56" / "-R$ 1,00".</summary>
public sealed class MoneyTests
{
    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("0.004999", "0.00")]
    [InlineData("0.015", "0.02")] // banker's rounding would give 0.02 too; the next line is where they part
    [InlineData("0.025", "0.03")] // banker's: 0.02
    [InlineData("2.345", "2.35")] // banker's: 2.34
    [InlineData("-0.005", "-0.01")]
    [InlineData("-2.345", "-2.35")]
    [InlineData("-0.004", "0.00")]
    [InlineData("1.1", "1.10")]
    [InlineData("999999999999.994", "999999999999.99")]
    public void Round_GoesToCentavosHalfAwayFromZero(string value, string expected)
    {
        var r = Money.Round(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), r);
    }

    [Theory]
    [InlineData("0", "R$ 0,00")]
    [InlineData("1606.08", "R$ 1.606,08")]
    [InlineData("1234567.5", "R$ 1.234.567,50")]
    [InlineData("-1", "-R$ 1,00")]
    [InlineData("-58", "-R$ 58,00")]
    [InlineData("-1234.565", "-R$ 1.234,57")]
    [InlineData("-0.004", "R$ 0,00")] // never "-R$ 0,00"
    [InlineData("0.125", "R$ 0,13")]
    [InlineData("999999999999.99", "R$ 999.999.999.999,99")]
    public void Format_IsPtBrWithTheSignBeforeTheSymbol(string value, string expected) =>
        Assert.Equal(expected, Money.Format(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("0", "0,00")]
    [InlineData("1606.08", "1.606,08")]
    [InlineData("-10", "-10,00")]
    [InlineData("-0.001", "0,00")]
    [InlineData("2.345", "2,35")]
    public void Number_IsTheSameWithoutTheSymbol(string value, string expected) =>
        Assert.Equal(expected, Money.Number(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void TheTwoDecimalsRule_AndTheCapOfNumeric14_2()
    {
        Assert.True(Money.HasAtMostTwoDecimals(10m));
        Assert.True(Money.HasAtMostTwoDecimals(10.5m));
        Assert.True(Money.HasAtMostTwoDecimals(-10.55m));
        Assert.True(Money.HasAtMostTwoDecimals(10.550000m)); // trailing zeros are not centavos fractions
        Assert.False(Money.HasAtMostTwoDecimals(10.555m));
        Assert.False(Money.HasAtMostTwoDecimals(0.005m));

        Assert.Equal(999_999_999_999.99m, Money.Max);
        Assert.True(Money.WithinCap(999_999_999_999.99m));
        Assert.True(Money.WithinCap(-999_999_999_999.99m));
        Assert.False(Money.WithinCap(1_000_000_000_000m));
        Assert.False(Money.WithinCap(-1_000_000_000_000m));

        Assert.Null(Money.Problem(0m));
        Assert.Null(Money.Problem(49.90m));
        Assert.Equal("O valor não pode ser negativo.", Money.Problem(-1m));
        Assert.Null(Money.Problem(-1m, allowNegative: true));
        Assert.Equal("Valor fora do limite aceito.", Money.Problem(1_000_000_000_000m));
        Assert.Equal("Use no máximo 2 casas decimais.", Money.Problem(1.001m));
    }

    [Fact]
    public void ValorReal_RoundsEachTermOnceAndAddsCentavos()
    {
        // 140 − 0,005 + 0 : the discount is rounded to 0,01 first (the browser's old float rule showed 140,00)
        Assert.Equal(139.99m, BillingRules.ValorReal(140m, 0.005m, 0m));
        Assert.Equal(139.98m, BillingRules.ValorReal(140m, 0.015m, 0m));
        Assert.Equal(140.02m, BillingRules.ValorReal(140m, 0.004m, 0.015m));
        Assert.Equal(-58m, BillingRules.ValorReal(140m, 200m, 2m));
        Assert.Equal("-R$ 58,00", Money.Format(BillingRules.ValorReal(140m, 200m, 2m)));
    }
}
