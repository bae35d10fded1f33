using System.Collections.Immutable;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;

namespace Billing.Tests.Rating;

/// <summary>The slot-by-slot explanation the simulation screen shows must charge exactly what the rater charges.</summary>
public sealed class TariffBreakdownTests
{
    [Fact]
    public void WhenA3006TariffWithConnectFeeRates47Seconds_ThenTheSlotsAre30And18Seconds()
    {
        var tariff = new Tariff(0.05m, [new TariffSlot(0, 0.123456m, 30), new TariffSlot(30, 0.123456m, 6)], 0, 3);
        var b = TariffBreakdown.Explain(tariff, 47);
        Assert.False(b.Free);
        Assert.Equal(2, b.Slots.Count);
        Assert.Equal((30, 30), (b.Slots[0].CallSeconds, b.Slots[0].BilledSeconds));
        Assert.Equal((17, 18), (b.Slots[1].CallSeconds, b.Slots[1].BilledSeconds));
        Assert.Equal(48, b.BilledSeconds);
        Assert.Equal(0.0617280m, b.Slots[0].Amount);
        Assert.Equal(0.15m, b.Cost); // 0,05 + 48 × 0,123456 / 60 = 0,1487648
        Assert.True(TariffBreakdown.Explain(tariff, 3).Free);
    }

    [Fact]
    public void WhenManyTariffsAndDurationsAreExplained_ThenBilledSecondsAndCostEqualTheCalculators()
    {
        var random = new Random(18);
        for (var n = 0; n < 2000; n++)
        {
            var slots = ImmutableArray.CreateBuilder<TariffSlot>();
            var from = 0;
            var count = random.Next(1, 4);
            for (var i = 0; i < count; i++)
            {
                var inc = random.Next(1, 61);
                slots.Add(new TariffSlot(from, Math.Round((decimal)random.NextDouble() * 3m, 6), inc));
                from += inc * random.Next(1, 5);
            }
            var tariff = new Tariff(Math.Round((decimal)random.NextDouble(), 4), slots.ToImmutable(), random.Next(0, 90), random.Next(0, 6));
            Assert.Empty(tariff.Validate());
            var duration = random.Next(0, 900);
            var rated = TariffCalculator.Rate(tariff, duration);
            var explained = TariffBreakdown.Explain(tariff, duration);
            Assert.Equal(rated.BilledSeconds, explained.BilledSeconds);
            Assert.Equal(rated.Cost, explained.Cost);
            if (!explained.Free)
                Assert.Equal(explained.BilledSeconds, explained.Slots.Sum(s => s.BilledSeconds));
        }
    }
}
