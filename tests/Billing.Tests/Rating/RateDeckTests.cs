using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;
using Xunit.Abstractions;

namespace Billing.Tests.Rating;

public sealed class RateDeckTests(ITestOutputHelper output)
{
    private const string Header = "prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds";

    private static RateDeckParseResult Parse(params string[] lines) =>
        RateDeckCsvParser.Parse(string.Join("\n", lines) + "\n");

    [Fact]
    public void WhenAGoodDeckIsParsed_ThenEveryRowIsRead()
    {
        var r = Parse(Header,
            "1,EUA e Canadá,0.05,0,6,6,0",
            "44,Reino Unido,0.08,0.01,30,6,0",
            "447,Reino Unido móvel,0.35,0,60,60,60",
            "+351,Portugal,0.09,,1,1,");
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        Assert.Equal(4, r.Rows.Count);
        Assert.Equal(new RateDeckRow("351", "Portugal", 0.09m, 0m, 1, 1, 0), r.Rows[3]);
        Assert.Equal(new RateDeckRow("447", "Reino Unido móvel", 0.35m, 0m, 60, 60, 60), r.Rows[2]);
    }

    [Fact]
    public void WhenTheSeparatorIsSemicolonAndDecimalsUseCommas_ThenTheyAreRead()
    {
        var r = Parse(Header.Replace(',', ';'),
            "54;Argentina;0,123456;0,05;30;6;0",
            "5411;Buenos Aires;0.10;0;30;6;0");
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        Assert.Equal(0.123456m, r.Rows[0].PricePerMinute);
        Assert.Equal(0.05m, r.Rows[0].ConnectFee);
        Assert.Equal(0.10m, r.Rows[1].PricePerMinute);
    }

    [Fact]
    public void WhenACommaDeckQuotesADecimalComma_ThenItIsRead()
    {
        var r = Parse(Header, "1,EUA,\"0,05\",0,6,6,0");
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        Assert.Equal(0.05m, r.Rows[0].PricePerMinute);
    }

    [Fact]
    public void WhenColumnsComeInAnotherOrderWithExtraOnes_ThenTheyAreMatchedByName()
    {
        var r = Parse("Destination,Prefix,notes,PRICE_PER_MINUTE,connect_fee,initial_block,increment,minimum_seconds",
            "França,33,x,0.07,0,30,6,0");
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        Assert.Equal(new RateDeckRow("33", "França", 0.07m, 0m, 30, 6, 0), r.Rows[0]);
    }

    public static TheoryData<string, string?> BadLines => new()
    {
        { "abc,EUA,0.05,0,6,6,0", "prefix" },
        { ",EUA,0.05,0,6,6,0", "prefix" },
        { "1234567890123456,Longo,0.05,0,6,6,0", "prefix" },
        { "1,,0.05,0,6,6,0", "destination" },
        { "1,EUA,,0,6,6,0", "price_per_minute" },
        { "1,EUA,abc,0,6,6,0", "price_per_minute" },
        { "1,EUA,-0.05,0,6,6,0", "price_per_minute" },
        { "1,EUA,0.1234567,0,6,6,0", "price_per_minute" },
        { "1;EUA;1.000,50;0;6;6;0", "price_per_minute" },
        { "1,EUA,0.05,x,6,6,0", "connect_fee" },
        { "1,EUA,0.05,0,0,6,0", "initial_block" },
        { "1,EUA,0.05,0,6.5,6,0", "initial_block" },
        { "1,EUA,0.05,0,6,,0", "increment" },
        { "1,EUA,0.05,0,6,-6,0", "increment" },
        { "1,EUA,0.05,0,6,6,-1", "minimum_seconds" },
        { "1,EUA,0.05,0,6,6", null },              // missing a column
        { "1,EUA,0.05,0,6,6,0,extra", null },      // one column too many
        { "1,EUA,0,05,0,6,6,0", null },            // unquoted decimal comma in a comma deck
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void WhenALineIsBad_ThenNothingIsImportedAndTheLineAndColumnAreReported(string bad, string? column)
    {
        var header = bad.Contains(';') ? Header.Replace(',', ';') : Header;
        var sep = bad.Contains(';') ? ";" : ",";
        var r = RateDeckCsvParser.Parse(string.Join("\n", header, $"55{sep}Brasil{sep}0.10{sep}0{sep}30{sep}6{sep}0", bad, $"56{sep}Chile{sep}0.10{sep}0{sep}30{sep}6{sep}0"));
        Assert.False(r.Ok);
        Assert.Empty(r.Rows);
        var e = Assert.Single(r.Errors);
        Assert.Equal(3, e.Line);
        Assert.Equal(column, e.Column);
        Assert.False(string.IsNullOrWhiteSpace(e.Reason));
    }

    [Fact]
    public void WhenSeveralLinesAreBad_ThenEveryOneIsReported()
    {
        var r = Parse(Header,
            "1,EUA,0.05,0,6,6,0",
            "x,EUA,0.05,0,6,6,0",
            "44,UK,abc,0,6,0,0",
            "1,EUA de novo,0.05,0,6,6,0");
        Assert.False(r.Ok);
        Assert.Empty(r.Rows);
        Assert.Equal(
            [(3, "prefix"), (4, "price_per_minute"), (4, "increment"), (5, "prefix")],
            r.Errors.Select(e => (e.Line, e.Column)).ToArray());
        Assert.Contains("linha 2", r.Errors[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenTheHeaderLacksAColumn_ThenLineOneNamesIt()
    {
        var r = Parse("prefix,destination,price_per_minute,connect_fee,initial_block,increment", "1,EUA,0.05,0,6,6");
        var e = Assert.Single(r.Errors);
        Assert.Equal((1, "minimum_seconds"), (e.Line, e.Column));
    }

    [Fact]
    public void WhenTheFileIsEmptyOrHasOnlyTheHeader_ThenItIsRefused()
    {
        Assert.False(RateDeckCsvParser.Parse("").Ok);
        Assert.False(Parse(Header).Ok);
    }

    [Fact]
    public void WhenBlankLinesAndAByteOrderMarkArePresent_ThenLineNumbersStillMatchTheFile()
    {
        var r = RateDeckCsvParser.Parse("\uFEFF" + Header + "\n1,EUA,0.05,0,6,6,0\n\n44,UK,bad,0,6,6,0\n");
        var e = Assert.Single(r.Errors);
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void WhenPrefixesOverlap_ThenTheLongestPrefixWins()
    {
        var deck = new RateDeck([
            Row("1", "EUA"), Row("44", "Reino Unido"), Row("447", "Reino Unido móvel"), Row("4479", "Reino Unido móvel premium"),
            Row("55", "Brasil"), Row("5511", "São Paulo"), Row("55119", "São Paulo móvel"),
        ]);
        Assert.Equal("EUA", deck.Match("+14155552671")?.Destination);
        Assert.Equal("Reino Unido", deck.Match("+442079460000")?.Destination);
        Assert.Equal("Reino Unido móvel", deck.Match("447811123456")?.Destination);
        Assert.Equal("Reino Unido móvel premium", deck.Match("+447911123456")?.Destination);
        Assert.Equal("São Paulo móvel", deck.Match("+5511987654321")?.Destination);
        Assert.Equal("São Paulo", deck.Match("+551133334444")?.Destination);
        Assert.Equal("Brasil", deck.Match("+552133334444")?.Destination);
        Assert.Null(deck.Match("+33123456789"));
        Assert.Null(deck.Match(""));
        Assert.Null(RateDeck.Empty.Match("+14155552671"));
    }

    [Fact]
    public void WhenADeckRowBecomesATariff_ThenInitialBlockAndIncrementAreItsSlots()
    {
        var t = new RateDeckRow("1", "EUA", 0.10m, 0.02m, 30, 6, 0).ToTariff();
        Assert.Empty(t.Validate());
        Assert.Equal(new RatedCall(36, 0.08m), TariffCalculator.Rate(t, 31)); // 0.02 + 0.06
        var single = new RateDeckRow("1", "EUA", 0.10m, 0m, 60, 60, 0).ToTariff();
        Assert.Single(single.Slots);
    }

    [Fact]
    public void WhenA100kRowDeckIsImportedAndQueried_ThenItIsFastAndLookupsDoNotDependOnSize()
    {
        var sb = new StringBuilder(Header).Append('\n');
        var rng = new Random(7);
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        while (prefixes.Count < 100_000)
        {
            var len = rng.Next(3, 9);
            var p = (rng.Next(1, 10).ToString(CultureInfo.InvariantCulture) + rng.NextInt64(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture))[..len];
            if (!prefixes.Add(p)) continue;
            sb.Append(p).Append(",Destino ").Append(p).Append(",0.").Append(rng.Next(100000, 999999).ToString(CultureInfo.InvariantCulture))
              .Append(",0,30,6,0\n");
        }
        var csv = sb.ToString();
        var sw = Stopwatch.StartNew();
        var parsed = RateDeckCsvParser.Parse(csv);
        var parseMs = sw.ElapsedMilliseconds;
        Assert.True(parsed.Ok, string.Join("; ", parsed.Errors.Take(5)));
        sw.Restart();
        var deck = new RateDeck(parsed.Rows);
        var buildMs = sw.ElapsedMilliseconds;
        Assert.Equal(100_000, deck.Count);

        var numbers = Enumerable.Range(0, 100_000).Select(_ => "+" + rng.NextInt64(1_000_000_000_00, 9_999_999_999_99).ToString(CultureInfo.InvariantCulture)).ToArray();
        sw.Restart();
        var hits = numbers.Count(n => deck.Match(n) is not null);
        var lookupMs = sw.ElapsedMilliseconds;
        output.WriteLine($"deck de 100.000 linhas ({csv.Length / 1024} KiB): parse {parseMs} ms, índice {buildMs} ms, 100.000 buscas {lookupMs} ms ({hits} com prefixo)");
        Console.WriteLine($"[rating] 100k-row deck: parse {parseMs} ms, index {buildMs} ms, 100k lookups {lookupMs} ms");
        // every random number's longest match must agree with a brute-force scan on a sample
        foreach (var n in numbers.Take(200))
        {
            var digits = n[1..];
            var brute = parsed.Rows.Where(r => digits.StartsWith(r.Prefix, StringComparison.Ordinal)).MaxBy(r => r.Prefix.Length);
            Assert.Equal(brute?.Prefix, deck.Match(n)?.Prefix);
        }
    }

    private static RateDeckRow Row(string prefix, string destination) => new(prefix, destination, 0.10m, 0m, 30, 6, 0);
}
