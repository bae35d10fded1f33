using Billing.GrainInterfaces.Registration;

namespace Billing.Tests.Registration;

/// <summary>Pure validation rules: no cluster, no database.</summary>
public sealed class RegistrationRulesTests
{
    [Theory]
    [InlineData("529.982.247-25", "52998224725")]
    [InlineData("52998224725", "52998224725")]
    [InlineData("123.456.789-09", "12345678909")]
    [InlineData(" 111.444.777-35 ", "11144477735")]
    [InlineData("000.000.001-91", "00000000191")]
    public void WhenACpfHasCorrectCheckDigits_ThenItIsValidAndNormalized(string input, string normalized)
    {
        Assert.True(TaxId.TryParse(input, out var n, out var kind, out var error), error);
        Assert.Equal(normalized, n);
        Assert.Equal(TaxIdKind.Cpf, kind);
        Assert.Equal("PF", TaxId.TipoPessoa(n));
    }

    [Theory]
    [InlineData("529.982.247-24")] // last digit wrong
    [InlineData("529.982.247-15")] // first check digit wrong
    [InlineData("123.456.789-00")]
    [InlineData("00000000000")] // repeated digits
    [InlineData("11111111111")]
    [InlineData("99999999999")]
    [InlineData("1234567890")] // 10 digits
    [InlineData("123456789012")] // 12 digits
    [InlineData("5299822472A")] // letter in a CPF
    [InlineData("529,982,247-25")] // unexpected punctuation
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void WhenACpfIsWrong_ThenItIsRejectedWithAMessage(string? input)
    {
        Assert.False(TaxId.TryParse(input, out _, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("11.222.333/0001-81", "11222333000181")]
    [InlineData("11222333000181", "11222333000181")]
    [InlineData("00.000.000/0001-91", "00000000000191")] // Banco do Brasil
    [InlineData("33.000.167/0001-01", "33000167000101")]
    public void WhenANumericCnpjHasCorrectCheckDigits_ThenItIsValid(string input, string normalized)
    {
        Assert.True(TaxId.TryParse(input, out var n, out var kind, out var error), error);
        Assert.Equal(normalized, n);
        Assert.Equal(TaxIdKind.Cnpj, kind);
        Assert.Equal("PJ", TaxId.TipoPessoa(n));
    }

    [Theory]
    [InlineData("12.ABC.345/01DE-35", "12ABC34501DE35")] // Receita Federal's example
    [InlineData("12abc34501de35", "12ABC34501DE35")] // lower case accepted, stored upper case
    [InlineData("12ABC34501DE35", "12ABC34501DE35")]
    public void WhenAnAlphanumericCnpjHasCorrectCheckDigits_ThenItIsValid(string input, string normalized)
    {
        Assert.True(TaxId.TryParse(input, out var n, out var kind, out var error), error);
        Assert.Equal(normalized, n);
        Assert.Equal(TaxIdKind.Cnpj, kind);
    }

    [Theory]
    [InlineData("11.222.333/0001-82")] // wrong second digit
    [InlineData("11.222.333/0001-91")] // wrong first digit
    [InlineData("00000000000000")] // repeated
    [InlineData("11111111111111")]
    [InlineData("12.ABC.345/01DE-36")] // alphanumeric, wrong check digit
    [InlineData("12.ABC.345/01DF-35")] // alphanumeric, base changed
    [InlineData("12.ABC.345/01DE-3A")] // check digits must be numeric
    [InlineData("12.ABC.345/01D$-35")] // symbol
    [InlineData("12.ÁBC.345/01DE-35")] // accented letter
    [InlineData("1122233300018")] // 13 chars
    [InlineData("112223330001811")] // 15 chars
    public void WhenACnpjIsWrong_ThenItIsRejected(string input)
    {
        Assert.False(TaxId.TryParse(input, out _, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void WhenCheckDigitsAreComputedForEveryAlphanumericBase_ThenTheyRoundTrip()
    {
        foreach (var b in new[] { "12ABC34501DE", "AAAAAAAAAAAB", "ZZZZZZZZ0001", "00000000000A", "9Z8Y7X6W5V4U" })
        {
            var (d1, d2) = TaxId.CnpjCheckDigits(b);
            var full = b + (char)('0' + d1) + (char)('0' + d2);
            Assert.True(TaxId.IsValidCnpj(full), full);
            var wrong = b + (char)('0' + d1) + (char)('0' + (d2 + 1) % 10);
            Assert.False(TaxId.IsValidCnpj(wrong), wrong);
        }
    }

    [Theory]
    [InlineData("52998224725", "529.982.247-25")]
    [InlineData("00000000191", "000.000.001-91")]
    [InlineData("11222333000181", "11.222.333/0001-81")]
    [InlineData("12ABC34501DE35", "12.ABC.345/01DE-35")]
    public void WhenANormalizedDocumentIsFormatted_ThenItHasTheOfficialMask(string normalized, string formatted)
    {
        Assert.Equal(formatted, TaxId.Format(normalized));
        Assert.Equal(normalized, TaxId.Normalize(formatted));
    }

    [Theory]
    [InlineData("01310-100", "01310100")]
    [InlineData("01310100", "01310100")]
    [InlineData("01.310-100", "01310100")]
    [InlineData(" 70040-010 ", "70040010")]
    public void WhenACepHas8Digits_ThenItIsValid(string input, string normalized)
    {
        Assert.Equal(normalized, Cep.Normalize(input));
        Assert.Equal(normalized[..5] + "-" + normalized[5..], Cep.Format(normalized));
    }

    [Theory]
    [InlineData("0131010")]
    [InlineData("013101000")]
    [InlineData("01310-10A")]
    [InlineData("CEP01310100")]
    [InlineData("")]
    [InlineData(null)]
    public void WhenACepIsNot8Digits_ThenItIsInvalid(string? input) => Assert.False(Cep.IsValid(input));

    [Fact]
    public void WhenTheUfListIsRead_ThenItHasThe27Units()
    {
        Assert.Equal(27, Uf.All.Count);
        Assert.Contains("DF", Uf.All);
        Assert.Contains("TO", Uf.All);
        Assert.Equal("São Paulo", Uf.NameOf("SP"));
    }

    [Theory]
    [InlineData("sp", "SP")]
    [InlineData(" RJ ", "RJ")]
    [InlineData("df", "DF")]
    public void WhenAUfIsKnown_ThenItIsNormalized(string input, string code) => Assert.Equal(code, Uf.Normalize(input));

    [Theory]
    [InlineData("XX")]
    [InlineData("São Paulo")]
    [InlineData("S")]
    [InlineData("")]
    public void WhenAUfIsUnknown_ThenItIsInvalid(string input) => Assert.False(Uf.IsValid(input));

    [Theory]
    [InlineData("financeiro@empresa.com.br")]
    [InlineData("joao.silva+noc@Example.COM")]
    [InlineData("a_b-c@sub.dominio-x.net")]
    [InlineData("o'neil@empresa.io")]
    public void WhenAnEmailIsWellFormed_ThenItIsValid(string input) => Assert.True(Email.IsValid(input));

    [Theory]
    [InlineData("sem-arroba.com.br")]
    [InlineData("@empresa.com")]
    [InlineData("fulano@")]
    [InlineData("fulano@empresa")]
    [InlineData("fulano@@empresa.com")]
    [InlineData("ful ano@empresa.com")]
    [InlineData(".fulano@empresa.com")]
    [InlineData("fulano..x@empresa.com")]
    [InlineData("fulano@-empresa.com")]
    [InlineData("fulano@empresa.c")]
    [InlineData("fulano@empresa..com")]
    [InlineData("fulano@empresa.com.")]
    [InlineData("joão@empresa.com")]
    public void WhenAnEmailIsMalformed_ThenItIsInvalid(string input) => Assert.False(Email.IsValid(input));

    [Fact]
    public void WhenAnEmailDomainHasCapitals_ThenOnlyTheDomainIsLowerCased() =>
        Assert.Equal("Joao@empresa.com.br", Email.Normalize(" Joao@EMPRESA.com.BR "));

    [Fact]
    public void WhenACustomerIsValid_ThenItIsNormalizedForStorage()
    {
        var errors = CustomerRules.Validate(new CustomerData
        {
            Nome = "  Demo PABX  ",
            Documento = "12.abc.345/01de-35",
            Cep = "01310-100",
            Uf = "sp",
            Cidade = " São Paulo ",
            InscricaoEstadual = "isento",
            Complemento = "   ",
        }, out var n);
        Assert.Empty(errors);
        Assert.Equal("Demo PABX", n.Nome);
        Assert.Equal("12ABC34501DE35", n.Documento);
        Assert.Equal("01310100", n.Cep);
        Assert.Equal("SP", n.Uf);
        Assert.Equal("Brasil", n.Pais);
        Assert.Equal("São Paulo", n.Cidade);
        Assert.Equal("ISENTO", n.InscricaoEstadual);
        Assert.Null(n.Complemento);
    }

    [Fact]
    public void WhenEveryFieldIsWrong_ThenEachIsReportedByItsCamelCaseName()
    {
        var errors = CustomerRules.Validate(new CustomerData
        {
            Nome = " ",
            Documento = "111.111.111-11",
            Cep = "1234",
            Uf = "XX",
            Logradouro = new string('x', CustomerRules.MaxLogradouro + 1),
        }, out _);
        Assert.Equal(["cep", "documento", "logradouro", "nome", "uf"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void WhenTheCountryIsNotBrazil_ThenCepAndUfAreFreeText()
    {
        var errors = CustomerRules.Validate(new CustomerData
        {
            Nome = "Filial Lisboa",
            Documento = "11222333000181",
            Pais = "Portugal",
            Cep = "1000-001",
            Uf = "Lisboa",
        }, out var n);
        Assert.Empty(errors);
        Assert.Equal("1000-001", n.Cep);
    }

    [Fact]
    public void WhenAContactHasABadEmailAndNoName_ThenBothFieldsAreReported()
    {
        var errors = CustomerRules.Validate(new ContactData { Nome = "", Email = "x@" }, out _);
        Assert.Equal(["email", "nome"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("  José   da SILVA ", "jose da silva")]
    [InlineData("Elza Eletrônica Ltda", "elza eletronica ltda")]
    [InlineData("AÇÚCAR", "acucar")]
    [InlineData(null, "")]
    public void WhenASearchKeyIsBuilt_ThenItIsLowerCaseWithoutAccents(string? input, string key) =>
        Assert.Equal(key, CustomerRules.SearchKey(input));
}
