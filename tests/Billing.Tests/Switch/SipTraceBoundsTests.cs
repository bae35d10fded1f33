using Billing.GrainInterfaces.Circuits;

namespace Billing.Tests.Switch;

/// <summary>The bounds of a circuit's SIP trace (500 messages, 24 h, whichever keeps fewer) and what is stored of a message.</summary>
public sealed class SipTraceBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static SipTraceMessage M(DateTimeOffset at, string text = "OPTIONS sip:x SIP/2.0") =>
        new(at, "in", "udp:127.0.0.1:5062", "udp:127.0.0.1:5060", text);

    [Fact]
    public void WhenMoreThanFiveHundredRecentMessagesExist_ThenTheNewestFiveHundredAreKeptNewestFirst()
    {
        var messages = Enumerable.Range(0, 620).Select(i => M(Now.AddMinutes(-620 + i), "m" + i)).ToList();

        var kept = SipTraceBounds.Keep(messages, Now);

        Assert.Equal(SipTraceBounds.MaxMessages, kept.Count);
        Assert.Equal("m619", kept[0].Message);
        Assert.Equal("m120", kept[^1].Message);
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First.At >= p.Second.At));
    }

    [Fact]
    public void WhenMessagesAreOlderThanTwentyFourHours_ThenTheyAreGoneEvenWithFewerThanFiveHundred()
    {
        var messages = new[]
        {
            M(Now.AddHours(-30), "velha"),
            M(Now.AddHours(-24).AddTicks(-1), "um tique antes do limite"),
            M(Now.AddHours(-24), "no limite"),
            M(Now.AddMinutes(-1), "recente"),
        };

        var kept = SipTraceBounds.Keep(messages, Now);

        Assert.Equal(["recente", "no limite"], kept.Select(m => m.Message));
    }

    [Fact]
    public void WhenBothBoundsApply_ThenTheOneThatKeepsFewerWins()
    {
        // 600 messages in the last hour and 300 of yesterday: the count bound leaves 500, all recent
        var recent = Enumerable.Range(0, 600).Select(i => M(Now.AddSeconds(-3600 + i), "r" + i));
        var old = Enumerable.Range(0, 300).Select(i => M(Now.AddHours(-25).AddSeconds(i), "o" + i));
        var kept = SipTraceBounds.Keep(old.Concat(recent), Now);
        Assert.Equal(500, kept.Count);
        Assert.All(kept, m => Assert.StartsWith("r", m.Message, StringComparison.Ordinal));

        // 10 recent and 900 of yesterday: the age bound leaves 10
        var few = Enumerable.Range(0, 10).Select(i => M(Now.AddMinutes(-i), "n" + i));
        var many = Enumerable.Range(0, 900).Select(i => M(Now.AddHours(-24).AddSeconds(-1 - i), "y" + i));
        Assert.Equal(10, SipTraceBounds.Keep(many.Concat(few), Now).Count);
    }

    [Fact]
    public void WhenMessagesHaveTheSameTime_ThenTheLaterArrivalCountsAsNewer()
    {
        var kept = SipTraceBounds.Keep([M(Now, "primeira"), M(Now, "segunda")], Now);
        Assert.Equal(["segunda", "primeira"], kept.Select(m => m.Message));
    }

    [Fact]
    public void WhenAMessageHasNulLoneSurrogatesAFutureTimeOrIsHuge_ThenWhatIsStoredCanBeStoredAndIsMarked()
    {
        var dirty = new SipTraceMessage(Now.AddHours(2), "sideways", "udp:1.2.3.4:5060\0", new string('x', 500),
            "INVITE\0 \ud800 fim");
        var clean = SipTraceBounds.Clean(dirty, Now);
        Assert.Equal(Now, clean.At);
        Assert.Equal("in", clean.Direction);
        Assert.Equal("INVITE\uFFFD \uFFFD fim", clean.Message);
        Assert.Equal("udp:1.2.3.4:5060\uFFFD", clean.Source);
        Assert.Equal(SipTraceBounds.MaxAddressChars, clean.Destination.Length);

        var huge = SipTraceBounds.Clean(M(Now, new string('a', SipTraceBounds.MaxMessageChars + 10)), Now);
        Assert.EndsWith(SipTraceBounds.Truncated, huge.Message, StringComparison.Ordinal);
        Assert.Equal(SipTraceBounds.MaxMessageChars + SipTraceBounds.Truncated.Length, huge.Message.Length);

        var fine = M(Now.AddSeconds(-1), "SIP/2.0 200 OK\r\nFrom: <sip:8001@x>;tag=1\r\n\r\n");
        Assert.Equal(fine, SipTraceBounds.Clean(fine, Now));
    }
}
