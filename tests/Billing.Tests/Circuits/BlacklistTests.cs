using Billing.Grains.Circuits;
using Billing.Tests.Architecture;

namespace Billing.Tests.Circuits;

/// <summary>The circuit's blacklist on its own (no cluster): matching callers from the circuit's DDD, adding, removing, the cap.</summary>
public sealed class BlacklistTests
{
    [Theory]
    [InlineData("1133334444")]
    [InlineData("33334444")]
    [InlineData("+551133334444")]
    [InlineData("(11) 3333-4444")]
    [InlineData(" 011 3333 4444 ")]
    public void WhenABlacklistedCallerCallsInAnyFormat_ThenItIsBlocked(string caller) =>
        Assert.True(new Blacklist(["+551133334444"]).Blocks("11", caller));

    [Theory]
    [InlineData("1133335555")]   // another number
    [InlineData(null)]           // no caller id
    [InlineData("")]
    [InlineData("anonymous")]
    [InlineData("190")]          // a short code has no E.164 form
    public void WhenTheCallerIsNotOnTheList_ThenItIsNotBlocked(string? caller) =>
        Assert.False(new Blacklist(["+551133334444", "+5511987654321"]).Blocks("11", caller));

    [Fact]
    public void WhenALocalNumberCallsACircuitOfAnotherDdd_ThenItIsReadInThatDdd()
    {
        var list = new Blacklist(["+551133334444"]);
        Assert.False(list.Blocks("21", "33334444")); // +552133334444 from a Rio circuit
        Assert.True(list.Blocks("21", "1133334444"));
    }

    [Fact]
    public void WhenAnOldSnapshotHasNoList_ThenNothingIsBlocked()
    {
        var list = new Blacklist(null);
        Assert.Equal(0, list.Count);
        Assert.False(list.Blocks("11", "1133334444"));
        Assert.Empty(list.Sorted());
    }

    [Fact]
    public void WhenNumbersToAddAreRead_ThenEachBadOneIsNamedByItsIndex()
    {
        var (normalized, errors) = Blacklist.Parse("11", ["33334444", "abc", "11987654321", ""]);
        Assert.Equal(["+551133334444", "+5511987654321"], normalized);
        Assert.Equal(["numbers[1]", "numbers[3]"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'abc'", errors["numbers[1]"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void WhenNoNumberIsGiven_ThenTheErrorNamesTheList()
    {
        var (normalized, errors) = Blacklist.Parse("11", []);
        Assert.Empty(normalized);
        Assert.Equal("Informe ao menos um número.", Assert.Single(errors["numbers"]));
    }

    [Fact]
    public void WhenNumbersAreAdded_ThenOnlyNewOnesCountOnceAndTheListStaysSorted()
    {
        var list = new Blacklist(["+5511987654321", "+551133334444"]);
        var fresh = list.Fresh(["+551133334444", "+552133334444", "+552133334444", "+551122223333"]);
        Assert.Equal(["+552133334444", "+551122223333"], fresh);
        var stored = list.With(fresh);
        Assert.NotNull(stored);
        Assert.Equal(["+551122223333", "+551133334444", "+5511987654321", "+552133334444"], new Blacklist(stored).Sorted());
    }

    [Fact]
    public void WhenAnAdditionWouldPassTheCap_ThenItIsRefusedAndUpToTheCapIsAccepted()
    {
        var full = Enumerable.Range(0, Blacklist.MaxNumbers - 1).Select(i => "+55113" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var list = new Blacklist(full);
        Assert.Equal(Blacklist.MaxNumbers, list.With(["+5511987654321"])!.Count);
        Assert.Null(list.With(["+5511987654321", "+5511987654322"]));
        Assert.Equal(5000, CircuitGrainMaxBlacklist());
    }

    [Fact]
    public void WhenANumberIsRemoved_ThenOnlyItLeaves()
    {
        var list = new Blacklist(["+551133334444", "+5511987654321"]);
        Assert.True(list.Contains("+551133334444"));
        var stored = list.Without("+551133334444");
        Assert.Equal(["+5511987654321"], stored);
        Assert.False(new Blacklist(stored).Contains("+551133334444"));
    }

    [Theory]
    [InlineData(typeof(Blacklist))]
    [InlineData(typeof(ReservationBook))]
    [InlineData(typeof(LedgerView))]
    public void WhenTheCircuitPartsAreInspected_ThenNoneUsesOrleans(Type type)
    {
        var uses = ArchitectureTests.OrleansUses(type);
        Assert.True(uses.Count == 0, string.Join('\n', uses));
    }

    private static int CircuitGrainMaxBlacklist() => Billing.Grains.Circuits.CircuitGrain.MaxBlacklist;
}
