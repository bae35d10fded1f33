using System.Collections.Immutable;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Numbering;
using Billing.Grains.Rating;

namespace Billing.Tests.Rating;

public sealed class PlanRulesTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(-3));

    private static Plan ThreeVersions() => new("p", "Plano", [
        new PlanVersion(1, Jan, ImmutableDictionary<CallType, PlanEntry>.Empty.Add(CallType.LocalFixo, PlanEntry.Of(Tariff.ThirtySix(0.10m)))),
        new PlanVersion(2, Jan.AddMonths(3), ImmutableDictionary<CallType, PlanEntry>.Empty.Add(CallType.LocalFixo, PlanEntry.Of(Tariff.ThirtySix(0.08m)))),
        new PlanVersion(3, Jan.AddMonths(6), ImmutableDictionary<CallType, PlanEntry>.Empty.Add(CallType.Ldi, PlanEntry.Deck("ldi"))),
    ]);

    [Fact]
    public void WhenACallStartsAtAVersionBoundary_ThenTheVersionInForceAtTheStartIsUsed()
    {
        var plan = ThreeVersions();
        Assert.Null(plan.VersionAt(Jan.AddTicks(-1)));
        Assert.Equal(1, plan.VersionAt(Jan)!.Version);
        Assert.Equal(1, plan.VersionAt(Jan.AddMonths(3).AddTicks(-1))!.Version);
        Assert.Equal(2, plan.VersionAt(Jan.AddMonths(3))!.Version);
        Assert.Equal(3, plan.VersionAt(Jan.AddYears(5))!.Version);
        // the same instant in another offset is the same instant
        Assert.Equal(2, plan.VersionAt(Jan.AddMonths(3).ToUniversalTime())!.Version);
    }

    [Fact]
    public void WhenAPlanLacksEmergencyOrFreephoneEntries_ThenTheyAreFreeAndOtherMissingTypesAreNotSold()
    {
        var v = ThreeVersions().Versions[0];
        Assert.Same(Tariff.Free, CallRater.EntryFor(v, CallType.Emergencia)!.Tariff);
        Assert.Same(Tariff.Free, CallRater.EntryFor(v, CallType.Gratuito)!.Tariff);
        Assert.Null(CallRater.EntryFor(v, CallType.LdnFixo));
        Assert.NotNull(CallRater.EntryFor(v, CallType.LocalFixo)!.Tariff);
    }

    [Fact]
    public void WhenACallIsRatedWithAPlanVersion_ThenTheResultCarriesClassificationTariffAndCharge()
    {
        var plan = ThreeVersions();
        var v = plan.VersionAt(Jan.AddMonths(4))!;
        var c = NumberClassifier.Classify("11", "33334444").Classification!;
        var rating = CallRater.Rate(plan.Id, v, c, CallRater.EntryFor(v, c.CallType)!.Tariff!, 31);
        Assert.True(rating.Ok);
        Assert.Equal(2, rating.PlanVersion);
        Assert.Equal(new RatedCall(36, 0.05m), rating.Rated); // 36 × 0.08 / 60 = 0.048 → 0.05
    }
}
