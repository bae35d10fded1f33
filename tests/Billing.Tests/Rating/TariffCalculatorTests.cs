using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;

namespace Billing.Tests.Rating;

public sealed class TariffCalculatorTests
{
    private static readonly Tariff ThirtySix = Tariff.ThirtySix(0.10m);

    [Theory]
    [InlineData(0, 0, "0.00")]
    [InlineData(1, 0, "0.00")]
    [InlineData(3, 0, "0.00")]
    [InlineData(4, 30, "0.05")]
    [InlineData(29, 30, "0.05")]
    [InlineData(30, 30, "0.05")]
    [InlineData(31, 36, "0.06")]
    [InlineData(36, 36, "0.06")]
    [InlineData(37, 42, "0.07")]
    [InlineData(60, 60, "0.10")]
    [InlineData(61, 66, "0.11")]
    [InlineData(3600, 3600, "6.00")]
    public void WhenA3006TariffRatesABoundaryDuration_ThenBilledSecondsAndCostMatchTheRule(int duration, int billed, string cost)
    {
        var r = TariffCalculator.Rate(ThirtySix, duration);
        Assert.Equal(billed, r.BilledSeconds);
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), r.Cost);
    }

    [Theory]
    [InlineData(1, 1, "0.00")]    // 0.002
    [InlineData(3, 3, "0.01")]    // 0.006
    [InlineData(59, 59, "0.12")]  // 0.118
    [InlineData(60, 60, "0.12")]
    [InlineData(61, 61, "0.12")]  // 0.122
    [InlineData(62, 62, "0.12")]  // 0.124
    [InlineData(63, 63, "0.13")]  // 0.126
    public void WhenA1Per1TariffRates_ThenEverySecondIsBilled(int duration, int billed, string cost)
    {
        var tariff = Tariff.Simple(0.12m, 1, minimumSeconds: 0);
        var r = TariffCalculator.Rate(tariff, duration);
        Assert.Equal(billed, r.BilledSeconds);
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), r.Cost);
    }

    [Theory]
    [InlineData(1, 60, "0.20")]
    [InlineData(60, 60, "0.20")]
    [InlineData(61, 120, "0.40")]
    [InlineData(119, 120, "0.40")]
    [InlineData(121, 180, "0.60")]
    public void WhenA60Per60TariffRates_ThenWholeMinutesAreBilled(int duration, int billed, string cost)
    {
        var r = TariffCalculator.Rate(Tariff.Simple(0.20m, 60), duration);
        Assert.Equal(billed, r.BilledSeconds);
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), r.Cost);
    }

    [Fact]
    public void WhenATariffHasAConnectFee_ThenItIsChargedOnceButNotOnFreeCalls()
    {
        var t = Tariff.ThirtySix(0.10m, connectFee: 0.15m);
        Assert.Equal(0m, TariffCalculator.Rate(t, 3).Cost);
        Assert.Equal(0.20m, TariffCalculator.Rate(t, 4).Cost);   // 0.15 + 0.05
        Assert.Equal(0.25m, TariffCalculator.Rate(t, 60).Cost);  // 0.15 + 0.10
    }

    [Fact]
    public void WhenTheFirstMinuteHasAnotherPrice_ThenEachSlotIsPricedSeparately()
    {
        // first minute at R$ 0,50 (60 s block), then R$ 0,10/min per 6 s
        var t = new Tariff(0m, [new TariffSlot(0, 0.50m, 60), new TariffSlot(60, 0.10m, 6)], 0, 0);
        Assert.Equal(new RatedCall(60, 0.50m), TariffCalculator.Rate(t, 10));
        Assert.Equal(new RatedCall(60, 0.50m), TariffCalculator.Rate(t, 60));
        Assert.Equal(new RatedCall(66, 0.51m), TariffCalculator.Rate(t, 61));
        Assert.Equal(new RatedCall(120, 0.60m), TariffCalculator.Rate(t, 120));
    }

    [Fact]
    public void WhenThreeSlotsAreUsed_ThenTheLastSlotRunsToTheEnd()
    {
        var t = new Tariff(0m, [new TariffSlot(0, 0.60m, 30), new TariffSlot(30, 0.30m, 10), new TariffSlot(60, 0.06m, 1)], 0, 0);
        // 30 s × 0.60 + 30 s × 0.30 + 15 s × 0.06, per minute
        var r = TariffCalculator.Rate(t, 75);
        Assert.Equal(75, r.BilledSeconds);
        Assert.Equal(Math.Round(0.30m + 0.15m + 0.015m, 2, MidpointRounding.AwayFromZero), r.Cost); // 0.465 → 0.47
    }

    [Fact]
    public void WhenACallIsShorterThanTheMinimum_ThenTheMinimumIsBilled()
    {
        var t = Tariff.Simple(0.60m, 6, minimumSeconds: 30);
        Assert.Equal(new RatedCall(30, 0.30m), TariffCalculator.Rate(t, 1));
        Assert.Equal(new RatedCall(30, 0.30m), TariffCalculator.Rate(t, 30));
        Assert.Equal(new RatedCall(36, 0.36m), TariffCalculator.Rate(t, 31));
        Assert.Equal(RatedCall.Zero, TariffCalculator.Rate(t, 0));
    }

    [Theory]
    [InlineData("0.30", 1, "0.01")]   // 0.005 → 0.01 (half away from zero, not to even)
    [InlineData("0.90", 1, "0.02")]   // 0.015 → 0.02
    [InlineData("1.50", 1, "0.03")]   // 0.025 → 0.03 (banker's would give 0.02)
    [InlineData("0.29", 1, "0.00")]   // 0.004833… → 0.00
    [InlineData("0.123456", 30, "0.06")] // 0.061728 → 0.06
    public void WhenTheChargeEndsInHalfACentavo_ThenItRoundsAwayFromZero(string price, int seconds, string cost)
    {
        var t = Tariff.Simple(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Equal(decimal.Parse(cost, System.Globalization.CultureInfo.InvariantCulture), TariffCalculator.Rate(t, seconds).Cost);
    }

    [Fact]
    public void WhenPricesHaveSixDecimals_ThenTheChargeIsRoundedOnceAtTheEnd()
    {
        // two slots each worth 0.004 would round to 0.00 + 0.00 separately; once: 0.008 → 0.01
        var t = new Tariff(0m, [new TariffSlot(0, 0.24m, 1), new TariffSlot(1, 0.24m, 1)], 0, 0);
        Assert.Equal(0.01m, TariffCalculator.Rate(t, 2).Cost);
    }

    [Fact]
    public void WhenABudgetIsGiven_ThenMaxSecondsIsTheLongestAffordableCall()
    {
        Assert.Equal(60, TariffCalculator.MaxSecondsWithin(Tariff.ThirtySix(0.10m), 0.10m));
        Assert.Equal(3, TariffCalculator.MaxSecondsWithin(Tariff.ThirtySix(0.10m), 0.00m));
        Assert.Equal(30, TariffCalculator.MaxSecondsWithin(Tariff.ThirtySix(0.10m), 0.05m));
        Assert.Equal(14400, TariffCalculator.MaxSecondsWithin(Tariff.Free, 0m));
    }

    [Fact]
    public void WhenATariffIsInvalid_ThenValidateNamesEachField()
    {
        var t = new Tariff(-1m, [new TariffSlot(5, -0.1m, 0), new TariffSlot(3, 0.1234567m, 6)], -1, -1);
        var fields = t.Validate().Select(e => e.Key).ToList();
        Assert.Contains("tariff.connectFee", fields);
        Assert.Contains("tariff.minimumSeconds", fields);
        Assert.Contains("tariff.freeSeconds", fields);
        Assert.Contains("tariff.slots[0].fromSecond", fields);
        Assert.Contains("tariff.slots[0].pricePerMinute", fields);
        Assert.Contains("tariff.slots[0].incrementSeconds", fields);
        Assert.Contains("tariff.slots[1].fromSecond", fields);
        Assert.Contains("tariff.slots[1].pricePerMinute", fields);
        Assert.Empty(Tariff.ThirtySix(0.10m).Validate());
        Assert.NotEmpty(new Tariff(0m, [new TariffSlot(0, 0.1m, 60), new TariffSlot(30, 0.1m, 6)], 0, 0).Validate());
        Assert.Empty(Tariff.Simple(0.100000000m, 1).Validate()); // trailing zeros are not decimals
    }
}

public sealed class TariffPropertyTests
{
    private const int Seed = 20261125;

    private static Tariff RandomTariff(Random rng)
    {
        var slotCount = rng.Next(1, 4);
        var slots = new List<TariffSlot>();
        var from = 0;
        for (var i = 0; i < slotCount; i++)
        {
            var inc = new[] { 1, 6, 10, 30, 60 }[rng.Next(5)];
            var price = Math.Round((decimal)rng.NextDouble() * 3m, rng.Next(0, 7));
            slots.Add(new TariffSlot(from, price, inc));
            from += inc * rng.Next(1, 10);
        }
        var fee = Math.Round((decimal)rng.NextDouble(), rng.Next(0, 3));
        return new Tariff(rng.Next(3) == 0 ? fee : 0m, [.. slots], rng.Next(0, 4) == 0 ? rng.Next(0, 90) : 0, rng.Next(0, 7));
    }

    [Fact]
    public void WhenManyRandomTariffsAreRated_ThenCostIsNeverNegativeNeverDecreasesAndIsZeroUpToFreeSeconds()
    {
        var rng = new Random(Seed);
        for (var n = 0; n < 500; n++)
        {
            var t = RandomTariff(rng);
            Assert.Empty(t.Validate());
            var previous = -1m;
            for (var d = 0; d <= 400; d++)
            {
                var r = TariffCalculator.Rate(t, d);
                Assert.True(r.Cost >= 0, $"custo negativo {t} {d}");
                Assert.True(r.Cost >= previous, $"custo diminuiu em {d} s: {t}");
                Assert.Equal(r.Cost, Math.Round(r.Cost, 2));
                if (d <= t.FreeSeconds)
                {
                    Assert.Equal(0m, r.Cost);
                    Assert.Equal(0, r.BilledSeconds);
                }
                else
                {
                    Assert.True(r.BilledSeconds >= d, $"cobrou menos segundos que a duração: {d} → {r.BilledSeconds}");
                    Assert.True(r.BilledSeconds >= t.MinimumSeconds);
                }
                previous = r.Cost;
            }
        }
    }

    [Fact]
    public void WhenRandomBudgetsAreGiven_ThenMaxSecondsIsAffordableAndOneMoreSecondIsNot()
    {
        var rng = new Random(Seed + 1);
        for (var n = 0; n < 300; n++)
        {
            var t = RandomTariff(rng);
            var budget = Math.Round((decimal)rng.NextDouble() * 5m, 2);
            var max = TariffCalculator.MaxSecondsWithin(t, budget, 7200);
            Assert.True(TariffCalculator.Rate(t, max).Cost <= budget);
            if (max < 7200) Assert.True(TariffCalculator.Rate(t, max + 1).Cost > budget);
        }
    }
}
