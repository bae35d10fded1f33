using System.Collections.Immutable;
using System.Globalization;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;

namespace Billing.Tests.Rating;

/// <summary>Tariff windows and holidays, pure (no cluster): the splitting rule, Easter, holidays, time zones.</summary>
public sealed class TariffWindowTests
{
    private static readonly TimeSpan Brt = TimeSpan.FromHours(-3);

    /// <summary>Horário normal: R$ 0,12/min 30/6, connect fee R$ 0,05.</summary>
    private static readonly Tariff Normal = Tariff.ThirtySix(0.12m, connectFee: 0.05m);

    /// <summary>Horário reduzido (the entry's own tariff): R$ 0,06/min 30/6, connect fee R$ 0,02.</summary>
    private static readonly Tariff Reduzido = Tariff.ThirtySix(0.06m, connectFee: 0.02m);

    private static readonly ImmutableArray<WindowDay> Weekdays = [WindowDay.Mon, WindowDay.Tue, WindowDay.Wed, WindowDay.Thu, WindowDay.Fri];

    private static WindowedTariff Peak(RatingContext? context = null, Tariff? holiday = null)
    {
        var windows = ImmutableArray.Create(new TariffWindow(Weekdays, 7 * 60, 19 * 60, Normal));
        if (holiday is not null) windows = windows.Add(new TariffWindow([WindowDay.Holiday], 0, TariffWindow.MinutesPerDay, holiday));
        return new WindowedTariff(Reduzido, windows, context ?? RatingContext.Default);
    }

    [Fact]
    public void WhenACallCrosses19h_ThenItIsRatedInTwoPartsAndRoundedOnceOnTheTotal()
    {
        // Wednesday 2026-12-02 18:58:50 in São Paulo, 125 s: 70 s before 19:00, the rest after.
        //   connect fee of the start's window (normal):                         0,05
        //   part 1, window 0 (seg–sex 07:00–19:00), normal 30/6 at 0,12/min:
        //     s 0–30, first slot, 30 s increment: 30 s × 0,12/60             = 0,06
        //     s 30–70 (the boundary), 6 s increments: 40 s → 7 × 6 = 42 s × 0,12/60 = 0,084   (ends at s 72)
        //   part 2, outside every window, reduzido 0,06/min, slots continue from s 72 (second slot, 6 s):
        //     s 72–125: 53 s → 9 × 6 = 54 s × 0,06/60                        = 0,054   (ends at s 126)
        //   total 0,05 + 0,06 + 0,084 + 0,054 = 0,248 → R$ 0,25 (one rounding); billed 72 + 54 = 126 s.
        //   (Whole call at normal: 0,05 + 0,06 + 96 × 0,002 = 0,302 → 0,30; whole at reduzido: 0,146 → 0,15.)
        var start = new DateTimeOffset(2026, 12, 2, 18, 58, 50, Brt);

        var r = Peak().Detail(start, 125);

        Assert.Equal(0.25m, r.Rated.Cost);
        Assert.Equal(126, r.Rated.BilledSeconds);
        Assert.Equal(2, r.Parts.Length);
        Assert.Equal(0, r.Parts[0].Window);
        Assert.Equal(0, r.Parts[0].FromSecond);
        Assert.Equal(72, r.Parts[0].BilledSeconds);
        Assert.Equal(0.144m, r.Parts[0].Cost);
        Assert.Null(r.Parts[1].Window);
        Assert.Equal(72, r.Parts[1].FromSecond);
        Assert.Equal(54, r.Parts[1].BilledSeconds);
        Assert.Equal(0.054m, r.Parts[1].Cost);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 19, 0, 2, Brt), r.Parts[1].StartsAt);
        Assert.Equal(0.30m, TariffCalculator.Rate(Normal, 125).Cost);
        Assert.Equal(0.15m, TariffCalculator.Rate(Reduzido, 125).Cost);
    }

    [Fact]
    public void WhenACallStartsInTheReducedHoursAndEndsInTheNormal_ThenConnectFeeAndFreeSecondsAreTheStartWindows()
    {
        // Thursday 2026-12-03 06:59:40, 50 s: 20 s reduzido, then normal from 07:00.
        //   connect fee of reduzido 0,02; s 0–20 in the first 30 s increment of reduzido: 30 s × 0,06/60 = 0,03 (ends at s 30)
        //   from s 30 in normal's second slot: s 30–50 = 20 s → 4 × 6 = 24 s × 0,12/60 = 0,048
        //   total 0,098 → 0,10
        var r = Peak().Detail(new DateTimeOffset(2026, 12, 3, 6, 59, 40, Brt), 50);
        Assert.Equal(0.10m, r.Rated.Cost);
        Assert.Equal(54, r.Rated.BilledSeconds);
        Assert.Equal([null, 0], r.Parts.Select(p => p.Window));

        // 3 s or less costs nothing (free seconds of the start's window)
        Assert.Equal(RatedCall.Zero, Peak().Rate(new DateTimeOffset(2026, 12, 3, 18, 59, 58, Brt), 3));
    }

    [Theory]
    [InlineData(2024, "2024-03-31")]
    [InlineData(2025, "2025-04-20")]
    [InlineData(2026, "2026-04-05")]
    [InlineData(2027, "2027-03-28")]
    [InlineData(2000, "2000-04-23")]
    [InlineData(2038, "2038-04-25")]
    [InlineData(2285, "2285-03-22")]
    public void WhenEasterIsComputed_ThenItIsTheGregorianDate(int year, string easter)
    {
        Assert.Equal(DateOnly.Parse(easter, CultureInfo.InvariantCulture), BrazilianHolidays.Easter(year));
    }

    [Fact]
    public void WhenTheNationalHolidaysOf2027AreListed_ThenTheEasterBasedOnesMoveWithEaster()
    {
        var list = BrazilianHolidays.Of(2027).ToDictionary(h => h.Name, h => h.Date);
        Assert.Equal(new DateOnly(2027, 2, 8), list["Carnaval (segunda-feira)"]);
        Assert.Equal(new DateOnly(2027, 2, 9), list["Carnaval (terça-feira)"]);
        Assert.Equal(new DateOnly(2027, 3, 26), list["Sexta-feira Santa"]);
        Assert.Equal(new DateOnly(2027, 5, 27), list["Corpus Christi"]);
        Assert.Equal(new DateOnly(2027, 11, 20), list["Dia Nacional de Zumbi e da Consciência Negra"]);
        Assert.Equal(13, list.Count);
        Assert.True(BrazilianHolidays.IsNational(new DateOnly(2027, 3, 26)));
        Assert.False(BrazilianHolidays.IsNational(new DateOnly(2027, 3, 25)));
        Assert.False(BrazilianHolidays.IsNational(new DateOnly(2023, 11, 20))); // national only from 2024
    }

    [Fact]
    public void WhenACallIsOnSextaFeiraSanta2027_ThenItMatchesTheHolidayWindowInsteadOfFriday()
    {
        var holiday = Tariff.Simple(0.03m, 1);
        // Friday 2027-03-26 10:00, 60 s: holiday window (index 1), 60 × 0,03/60 = 0,03
        var friday = Peak(holiday: holiday).Detail(new DateTimeOffset(2027, 3, 26, 10, 0, 0, Brt), 60);
        Assert.Equal(1, Assert.Single(friday.Parts).Window);
        Assert.Equal(0.03m, friday.Rated.Cost);
        // the Thursday before is a normal weekday: 0,05 + 0,06 + 30 × 0,002 = 0,17
        var thursday = Peak(holiday: holiday).Detail(new DateTimeOffset(2027, 3, 25, 10, 0, 0, Brt), 60);
        Assert.Equal(0, Assert.Single(thursday.Parts).Window);
        Assert.Equal(0.17m, thursday.Rated.Cost);
        // a holiday without a holiday window is outside every window (the weekday windows do not apply): 0,02 + 0,03 + 0,03 = 0,08
        var noHolidayWindow = Peak().Detail(new DateTimeOffset(2027, 3, 26, 10, 0, 0, Brt), 60);
        Assert.Null(Assert.Single(noHolidayWindow.Parts).Window);
        Assert.Equal(0.08m, noHolidayWindow.Rated.Cost);
    }

    [Fact]
    public void WhenTheOperatorDefinesAHoliday_ThenItCountsEverywhereOrOnlyInItsUf()
    {
        var day = new DateOnly(2030, 7, 9); // Revolução Constitucionalista (SP), a Tuesday
        var holidays = new[] { new Holiday(1, day, "Revolução Constitucionalista", "SP"), new Holiday(2, new DateOnly(2030, 8, 15), "Feriado da operadora", null) };
        Assert.True(new HolidayCalendar(holidays, "SP").IsHoliday(day));
        Assert.False(new HolidayCalendar(holidays, "RJ").IsHoliday(day));
        Assert.False(new HolidayCalendar(holidays, null).IsHoliday(day)); // UF unknown: UF holidays do not apply
        Assert.True(new HolidayCalendar(holidays, null).IsHoliday(new DateOnly(2030, 8, 15)));

        var sp = new RatingContext(RatingContext.Default.Zone, new HolidayCalendar(holidays, "SP").IsHoliday);
        var rj = new RatingContext(RatingContext.Default.Zone, new HolidayCalendar(holidays, "RJ").IsHoliday);
        var at = new DateTimeOffset(2030, 7, 9, 10, 0, 0, Brt);
        Assert.Equal(1, Assert.Single(Peak(sp, Tariff.Free).Detail(at, 60).Parts).Window);
        Assert.Equal(0, Assert.Single(Peak(rj, Tariff.Free).Detail(at, 60).Parts).Window);
    }

    [Fact]
    public void WhenTheCircuitIsInManaus_ThenTheWindowsAreReadOnManausTime()
    {
        var manaus = new RatingContext(TimeZones.Find("America/Manaus")!, BrazilianHolidays.IsNational);
        // 2026-12-02 22:59:30 UTC = 18:59:30 in Manaus (UTC−4), 19:59:30 in São Paulo; 60 s
        var start = new DateTimeOffset(2026, 12, 2, 22, 59, 30, TimeSpan.Zero);

        var inManaus = Peak(manaus).Detail(start, 60);
        // Manaus: 0,05 + s 0–30 normal 0,06 = 0,11 until 19:00 at s 30; then reduzido s 30–60: 30 × 0,001 = 0,03 → 0,14
        Assert.Equal([0, null], inManaus.Parts.Select(p => p.Window));
        Assert.Equal(0.14m, inManaus.Rated.Cost);
        Assert.Equal(TimeSpan.FromHours(-4), inManaus.Parts[0].StartsAt.Offset);

        var inSaoPaulo = Peak().Detail(start, 60);
        // São Paulo: all reduzido, 0,02 + 0,03 + 0,03 = 0,08
        Assert.Null(Assert.Single(inSaoPaulo.Parts).Window);
        Assert.Equal(0.08m, inSaoPaulo.Rated.Cost);
        Assert.Null(TimeZones.Find("Mars/Olympus_Mons"));
        Assert.Null(TimeZones.Find("America/Sao_Paulo\0"));
    }

    [Fact]
    public void WhenAnEntryHasNoWindowsOrOneWindowOfTheSameTariffAllWeek_ThenItCostsExactlyWhatTheTariffAloneCosts()
    {
        Tariff[] tariffs =
        [
            Tariff.ThirtySix(0.10m),
            Tariff.ThirtySix(0.137m, connectFee: 0.09m),
            Tariff.Simple(0.45m, 60, minimumSeconds: 60),
            new(0.01m, [new TariffSlot(0, 0.30m, 60), new TariffSlot(60, 0.25m, 10), new TariffSlot(600, 0.2m, 1)], 30, 2),
        ];
        ImmutableArray<WindowDay> everyDay = [.. Enum.GetValues<WindowDay>()];
        // starts just before midnight: a whole-week window must not split the call at 00:00
        var start = new DateTimeOffset(2026, 12, 4, 23, 55, 0, Brt);
        foreach (var t in tariffs)
        {
            var none = new WindowedTariff(t, [], RatingContext.Default);
            var same = new WindowedTariff(Tariff.Free, [new TariffWindow(everyDay, 0, TariffWindow.MinutesPerDay, t)], RatingContext.Default);
            foreach (var d in Enumerable.Range(0, 700).Concat([3599, 3600, 3601, 86_400]))
            {
                var expected = TariffCalculator.Rate(t, d);
                Assert.Equal(expected, none.Rate(start, d));
                Assert.Equal(expected, same.Rate(start, d));
            }
        }
    }

    [Fact]
    public void WhenABudgetIsGiven_ThenTheWindowedGrantIsTheLongestCallItPays()
    {
        var t = Peak();
        var start = new DateTimeOffset(2026, 12, 2, 18, 58, 50, Brt);
        var max = t.MaxSecondsWithin(start, 0.25m, 3600);
        Assert.True(t.Rate(start, max).Cost <= 0.25m);
        Assert.True(t.Rate(start, max + 1).Cost > 0.25m);
    }

    [Fact]
    public void WhenWindowsAreInvalid_ThenEveryProblemIsNamedAndOverlapsAreRefusedWithTheReason()
    {
        var ok = new TariffWindow(Weekdays, 7 * 60, 19 * 60, Normal);
        Assert.Empty(TariffWindow.Validate([ok, new TariffWindow([WindowDay.Sat], 7 * 60, 19 * 60, Normal)]));
        Assert.Empty(TariffWindow.Validate([ok, new TariffWindow(Weekdays, 19 * 60, TariffWindow.MinutesPerDay, Reduzido)])); // touching is fine

        var overlap = TariffWindow.Validate([ok, new TariffWindow([WindowDay.Fri, WindowDay.Sat], 18 * 60, 22 * 60, Reduzido)], "entries.local_fixo.windows");
        var (field, message) = Assert.Single(overlap);
        Assert.Equal("entries.local_fixo.windows[1].from", field);
        Assert.Contains("sobrepõe", message, StringComparison.Ordinal);
        Assert.Contains("sex das 18:00 às 19:00", message, StringComparison.Ordinal);

        var bad = TariffWindow.Validate([new TariffWindow([], 19 * 60, 7 * 60, Tariff.Simple(-1m, 1))]);
        Assert.Contains(bad, e => e.Key == "windows[0].days");
        Assert.Contains(bad, e => e.Key == "windows[0].to");
        Assert.Contains(bad, e => e.Key == "windows[0].tariff.slots[0].pricePerMinute");
        Assert.Equal(TariffWindow.MinutesPerDay, TariffWindow.ParseTime("24:00", allow24: true));
        Assert.Null(TariffWindow.ParseTime("24:00", allow24: false));
        Assert.Null(TariffWindow.ParseTime("7:00", allow24: false));
        Assert.Null(TariffWindow.ParseTime("07:60", allow24: false));
    }
}
