using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Resellers;
using Billing.Grains.Circuits;
using Billing.Tests.Registration;

namespace Billing.Tests.Resellers;

/// <summary>Pure rules: DID numbers, reseller validation, completion rounding.</summary>
public sealed class ResellerRulesTests
{
    [Theory]
    [InlineData("+551140001234", "+551140001234")]
    [InlineData("551140001234", "+551140001234")]
    [InlineData("(11) 4000-1234", "+551140001234")]
    [InlineData("011 4000-1234", "+551140001234")]
    [InlineData("11987654321", "+5511987654321")]
    [InlineData("+14155550100", "+14155550100")]
    public void WhenADidIsWrittenInAnyUsualWay_ThenItNormalizesToE164(string input, string expected) =>
        Assert.Equal(expected, DidNumbers.Normalize(input));

    [Theory]
    [InlineData("")]
    [InlineData("40001234")]
    [InlineData("+550140001234")]
    [InlineData("abc")]
    [InlineData("123")]
    public void WhenADidIsNotANumber_ThenItIsRejected(string input) => Assert.Null(DidNumbers.Normalize(input));

    [Fact]
    public void WhenARangeIsGiven_ThenEveryNumberIsListedAndOversizedRangesAreRefused()
    {
        var list = DidNumbers.Range("1140001230", "+551140001239", 100, out var error);
        Assert.Null(error);
        Assert.Equal(10, list!.Count);
        Assert.Equal("+551140001230", list[0]);
        Assert.Equal("+551140001239", list[^1]);
        Assert.Null(DidNumbers.Range("1140000000", "1140009999", 100, out error));
        Assert.NotNull(error);
        Assert.Null(DidNumbers.Range("1140000009", "1140000000", 100, out _));
    }

    [Fact]
    public void WhenAResellerHasAnInvalidCnpj_ThenValidationNamesTheDocument()
    {
        var errors = ResellerRules.Validate(new ResellerData { Nome = "Revenda X", Documento = "11.222.333/0001-00" }, out _);
        Assert.Contains(errors, e => e.Field == "documento");
    }

    [Fact]
    public void WhenAResellerIsValid_ThenItIsNormalized()
    {
        var cnpj = Docs.Cnpj();
        var errors = ResellerRules.Validate(new ResellerData
        {
            Nome = "  Revenda Sul ",
            Documento = cnpj[..2] + "." + cnpj[2..5] + "." + cnpj[5..8] + "/" + cnpj[8..12] + "-" + cnpj[12..],
            CompletionPricePerMinute = 0.012345m,
            DidMonthlyFee = 10m,
            Contatos = [new ResellerContact { Nome = "Ana", Email = "ana@revenda.com.br" }],
        }, out var d);
        Assert.Empty(errors);
        Assert.Equal("Revenda Sul", d.Nome);
        Assert.Equal(cnpj, d.Documento);
    }

    [Fact]
    public void WhenTariffsHaveTooManyDecimals_ThenTheyAreRefused()
    {
        var errors = ResellerRules.Validate(new ResellerData
        {
            Nome = "R", Documento = Docs.Cpf(), DidMonthlyFee = 1.001m, CompletionPricePerMinute = 0.1234567m,
        }, out _);
        Assert.Contains(errors, e => e.Field == "didMonthlyFee");
        Assert.Contains(errors, e => e.Field == "completionPricePerMinute");
    }

    [Theory]
    [InlineData(0.12, 90, 0.18)]
    [InlineData(0.12, 61, 0.12)]   // 0,122 → 0,12
    [InlineData(0.15, 65, 0.16)]   // 0,1625 → 0,16
    [InlineData(0.09, 10, 0.02)]   // 0,015 → 0,02 (half away from zero)
    [InlineData(0.12, 0, 0)]
    public void WhenInboundMinutesAreCompleted_ThenEachCallIsRoundedOnceToCentavos(decimal price, int seconds, decimal expected) =>
        Assert.Equal(expected, CircuitGrain.CompletionCost(price, seconds));
}
