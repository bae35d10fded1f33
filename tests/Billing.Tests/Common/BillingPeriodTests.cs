using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.Tests.Common;

/// <summary>The one billing period type: parse, format, bounds, the São Paulo boundary, bad input.</summary>
public sealed class BillingPeriodTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("08/2025", 2025, 8)]
    [InlineData("8/2025", 2025, 8)]
    [InlineData(" 12/2026 ", 2026, 12)]
    [InlineData("08-2025", 2025, 8)]
    [InlineData("2025-08", 2025, 8)]
    [InlineData("2025/08", 2025, 8)]
    [InlineData("01/2000", 2000, 1)]
    [InlineData("12/2999", 2999, 12)]
    public void WhenParsingAMonthAsTypedOrStored_ThenYearAndMonthAreRead(string text, int year, int month)
    {
        Assert.True(BillingPeriod.TryParse(text, out var p));
        Assert.Equal(new BillingPeriod(year, month), p);
        Assert.Null(BillingPeriod.Read(text, "reference", out var read));
        Assert.Equal(p, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("13/2025")]
    [InlineData("00/2025")]
    [InlineData("2025-13")]
    [InlineData("2025-8")]
    [InlineData("08/25")]
    [InlineData("08/1999")]
    [InlineData("01/3000")]
    [InlineData("08/2025/01")]
    [InlineData("2025-08-01")]
    [InlineData("082025")]
    [InlineData("+8/2025")]
    [InlineData("08/2O25")]
    [InlineData("٠٨/٢٠٢٥")]
    public void WhenTheTextIsNoMonth_ThenParsingFailsWithAPtBrMessageNamingTheField(string? text)
    {
        Assert.False(BillingPeriod.TryParse(text, out _));
        var problem = BillingPeriod.Read(text, "compareTo", out _);
        Assert.NotNull(problem);
        Assert.Contains("'compareTo'", problem, StringComparison.Ordinal);
        Assert.Contains("MM/AAAA", problem, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => BillingPeriod.Parse(text!));
    }

    [Fact]
    public void WhenFormatting_ThenTheLabelIsMmYyyyAndTheKeyYyyyMm()
    {
        var p = new BillingPeriod(2026, 3);
        Assert.Equal("03/2026", p.Label);
        Assert.Equal("2026-03", p.Key);
        Assert.Equal("2026-03", p.ToString());
        Assert.Equal("mar/26", p.ShortLabel);
        Assert.Equal("03/2026", BillingPeriod.LabelOf("2026-03"));
        Assert.Equal("out/26", BillingPeriod.ShortLabelOf("2026-10"));
        Assert.Equal("avulso", BillingPeriod.LabelOf("avulso"));
        Assert.Equal("", BillingPeriod.LabelOf(null));
        Assert.Equal(p, BillingPeriod.Parse(p.Key));
        Assert.Equal(p, BillingPeriod.Parse(p.Label));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1999, 12)]
    [InlineData(3000, 1)]
    [InlineData(2026, 0)]
    [InlineData(2026, 13)]
    public void WhenConstructedOutOfBounds_ThenItThrows(int year, int month) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BillingPeriod(year, month));

    [Fact]
    public void WhenAddingMonths_ThenYearsRollOverBothWays()
    {
        var p = new BillingPeriod(2026, 12);
        Assert.Equal(new BillingPeriod(2027, 1), p.Next);
        Assert.Equal(new BillingPeriod(2026, 11), p.Previous);
        Assert.Equal(new BillingPeriod(2025, 12), p.AddMonths(-12));
        Assert.Equal(new BillingPeriod(2024, 11), p.AddMonths(-25));
        Assert.Equal(new BillingPeriod(2028, 2), p.AddMonths(14));
        Assert.True(new BillingPeriod(2025, 12) < new BillingPeriod(2026, 1));
        Assert.True(new BillingPeriod(2026, 2) > new BillingPeriod(2026, 1));
        Assert.Equal(["2025-12", "2026-01", "2026-02"],
            new[] { new BillingPeriod(2026, 2), new BillingPeriod(2025, 12), new BillingPeriod(2026, 1) }.Order().Select(x => x.Key));
    }

    [Theory]
    [InlineData(1, "2026-10-01T00:00:00-03:00", "2026-11-01T00:00:00-03:00")]
    [InlineData(5, "2026-10-05T00:00:00-03:00", "2026-11-05T00:00:00-03:00")]
    [InlineData(28, "2026-10-28T00:00:00-03:00", "2026-11-28T00:00:00-03:00")]
    [InlineData(31, "2026-10-28T00:00:00-03:00", "2026-11-28T00:00:00-03:00")]
    [InlineData(0, "2026-10-01T00:00:00-03:00", "2026-11-01T00:00:00-03:00")]
    public void WhenComputingBounds_ThenTheyAreSaoPauloMidnightsOfTheClosingDay(int closingDay, string start, string end)
    {
        var p = new BillingPeriod(2026, 10);
        var (s, e) = p.Bounds(closingDay);
        Assert.Equal(At(start), s);
        Assert.Equal(At(end), e);
        Assert.Equal(TimeSpan.FromHours(-3), s.Offset);
        Assert.Equal(e.AddTicks(-1), p.Last(closingDay));
        Assert.Equal(p, BillingPeriod.Of(s, closingDay));
        Assert.Equal(p, BillingPeriod.Of(p.Last(closingDay), closingDay));
        Assert.Equal(p.Next, BillingPeriod.Of(e, closingDay));
        Assert.True(p.Contains(s, closingDay));
        Assert.False(p.Contains(e, closingDay));
        Assert.Equal(p.Next.Start(closingDay), e);
    }

    [Theory]
    // 00:30 UTC on the 1st is still the previous day in São Paulo (21:30 on the 31st)
    [InlineData("2026-11-01T02:59:59Z", 1, "2026-10")]
    [InlineData("2026-11-01T03:00:00Z", 1, "2026-11")]
    [InlineData("2027-01-01T02:59:59.9999999Z", 1, "2026-12")]
    [InlineData("2027-01-01T03:00:00Z", 1, "2027-01")]
    [InlineData("2026-11-05T02:59:59Z", 5, "2026-10")]
    [InlineData("2026-11-05T03:00:00Z", 5, "2026-11")]
    [InlineData("2026-11-04T23:00:00-03:00", 5, "2026-10")]
    [InlineData("2026-01-03T12:00:00Z", 5, "2025-12")]
    public void WhenAskingThePeriodOfAnInstant_ThenTheSaoPauloWallClockDecides(string instant, int closingDay, string expected) =>
        Assert.Equal(expected, BillingPeriod.Of(At(instant), closingDay).Key);

    [Fact]
    public void WhenTheYearHadNoDaylightSaving_ThenEveryMonthBoundaryIsAtMinusThree()
    {
        // Brazil dropped DST in 2019: from then on no boundary moves with the season.
        for (var p = new BillingPeriod(2019, 6); p <= new BillingPeriod(2030, 12); p = p.Next)
            foreach (var day in new[] { 1, 15, 28 })
            {
                Assert.Equal(TimeSpan.FromHours(-3), p.Start(day).Offset);
                Assert.Equal(p.FirstDay(day).ToDateTime(TimeOnly.MinValue), p.Start(day).DateTime);
                Assert.Equal(TimeSpan.FromHours(3), p.Start(day).UtcDateTime.TimeOfDay);
            }
    }

    [Fact]
    public void WhenAMidnightDidNotExist_ThenTheBoundaryIsTheStandardOffsetLikePostgres()
    {
        // 2018-11-04 00:00 was skipped (DST began): the boundary is read at standard time, 03:00 UTC, as PostgreSQL does.
        var p = new BillingPeriod(2018, 11);
        Assert.Equal(At("2018-11-04T03:00:00Z"), p.Start(4));
        // in summer time a month starts at 02:00 UTC
        Assert.Equal(At("2018-12-01T02:00:00Z"), new BillingPeriod(2018, 12).Start());
    }

    [Fact]
    public void WhenAPeriodIsOutsideTheWindow_ThenTheProblemNamesTheFieldAndTheWindow()
    {
        var today = new DateOnly(2026, 3, 15);
        Assert.Null(new BillingPeriod(2016, 3).OutsideWindow("period", today));
        Assert.Null(new BillingPeriod(2031, 3).OutsideWindow("period", today));
        var early = new BillingPeriod(2016, 2).OutsideWindow("period", today);
        Assert.Equal("Período em 'period' fora do intervalo aceito (03/2016 a 03/2031).", early);
        Assert.NotNull(new BillingPeriod(2027, 4).OutsideWindow("reference", today, futureYears: 1));
        Assert.Null(new BillingPeriod(2027, 3).OutsideWindow("reference", today, futureYears: 1));
        // a window reaching past the type's bounds is clamped, not thrown
        Assert.Null(new BillingPeriod(2000, 1).OutsideWindow("period", new DateOnly(2005, 1, 1), pastYears: 50));
    }
}
