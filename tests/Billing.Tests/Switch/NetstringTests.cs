using System.Text;
using Billing.Silo.Switch;

namespace Billing.Tests.Switch;

public sealed class NetstringTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<string> Drain(NetstringDecoder d, List<string>? errors = null)
    {
        var frames = new List<string>();
        while (true)
        {
            var r = d.TryRead(out var payload, out var error);
            if (r == NetstringRead.NeedMore) return frames;
            if (r == NetstringRead.Frame) frames.Add(Encoding.UTF8.GetString(payload));
            else errors?.Add(error!);
        }
    }

    [Fact]
    public void WhenAPayloadIsEncoded_ThenItIsLengthColonBytesComma()
    {
        Assert.Equal("12:{\"a\":\"çã\"},", Encoding.UTF8.GetString(Netstring.Encode(B("{\"a\":\"çã\"}"))));
        Assert.Equal("0:,", Encoding.UTF8.GetString(Netstring.Encode([])));
    }

    [Fact]
    public void WhenAFrameArrivesByteByByte_ThenItIsReturnedOnceComplete()
    {
        var d = new NetstringDecoder();
        var frame = Netstring.Encode(B("{\"event\":\"extend\"}"));
        for (var i = 0; i < frame.Length - 1; i++)
        {
            d.Append(frame.AsSpan(i, 1));
            Assert.Empty(Drain(d));
        }
        d.Append(frame.AsSpan(frame.Length - 1));
        Assert.Equal(["{\"event\":\"extend\"}"], Drain(d));
        Assert.Equal(0, d.Buffered);
    }

    [Fact]
    public void WhenOneReadCarriesSeveralFramesAndAPartOfTheNext_ThenEachIsReturnedInOrder()
    {
        var d = new NetstringDecoder();
        d.Append(B("3:abc,0:,5:a,b,c,4:xy"));
        Assert.Equal(["abc", "", "a,b,c"], Drain(d));
        d.Append(B("zw,"));
        Assert.Equal(["xyzw"], Drain(d));
    }

    [Fact]
    public void WhenManyFramesOutgrowTheBuffer_ThenNoneIsLost()
    {
        var d = new NetstringDecoder();
        var all = new List<string>();
        var payloads = Enumerable.Range(0, 2000).Select(i => new string('x', i % 300) + i).ToList();
        var stream = payloads.SelectMany(p => Netstring.Encode(B(p))).ToArray();
        for (var i = 0; i < stream.Length; i += 1000)
        {
            d.Append(stream.AsSpan(i, Math.Min(1000, stream.Length - i)));
            all.AddRange(Drain(d));
        }
        Assert.Equal(payloads, all);
    }

    [Theory]
    [InlineData("x3:abc,3:def,")]
    [InlineData(":abc,3:def,")]
    [InlineData("3:abcd,3:def,")]
    [InlineData("99999999999999:abc,3:def,")]
    public void WhenALengthIsBad_ThenAnErrorIsReportedAndTheNextFrameStillReads(string input)
    {
        var d = new NetstringDecoder();
        var errors = new List<string>();
        d.Append(B(input));
        var frames = Drain(d, errors);
        Assert.NotEmpty(errors);
        Assert.Equal("def", frames[^1]);
    }

    [Fact]
    public void WhenAFrameIsLargerThanTheLimit_ThenItIsAnErrorBeforeItsBytesAreBuffered()
    {
        var d = new NetstringDecoder(maxPayload: 10);
        var errors = new List<string>();
        d.Append(B("11:"));
        Assert.Empty(Drain(d, errors));
        Assert.Single(errors);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData(" ", 0)]
    [InlineData("127.0.0.1:8448", 1)]
    [InlineData("10.0.0.5:8448, kamailio-b:8449", 2)]
    public void WhenTheEndpointListIsParsed_ThenEachHostPortIsAnEndpoint(string value, int count)
    {
        Assert.Equal(count, EvapiEndpoint.ParseList(value).Count);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData(":8448")]
    [InlineData("host:port")]
    public void WhenAnEndpointIsInvalid_ThenTheListIsRefused(string value)
    {
        Assert.Throws<FormatException>(() => EvapiEndpoint.ParseList(value));
    }

    [Fact]
    public void WhenBackoffGrows_ThenItDoublesUpToTheCapWithJitterBetweenHalfAndAll()
    {
        var o = new EvapiOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) };
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.Backoff(1, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(50), o.Backoff(1, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), o.Backoff(3, 1));
        Assert.Equal(TimeSpan.FromSeconds(1), o.Backoff(50, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.Backoff(50, 0));
    }
}

/// <summary>The connector with a scripted handler (no cluster): concurrency and answer order, deterministically.</summary>
public sealed class EvapiConnectorOrderTests
{
    private sealed class GatedHandler : IEvapiHandler
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<byte[]?> HandleAsync(ReadOnlyMemory<byte> frame)
        {
            var e = System.Text.Json.JsonDocument.Parse(frame).RootElement;
            var id = e.GetProperty("id").GetString()!;
            // the first event waits until the gate opens: only answers of later events can open it
            if (id == "slow") await Gate.Task;
            return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { id });
        }
    }

    [Fact]
    public async Task WhenAnEarlierEventIsSlow_ThenLaterOnesAreAnsweredFirstOnTheSameConnection()
    {
        var handler = new GatedHandler();
        await using var fake = new FakeEvapi();
        await using var connector = new EvapiConnector([fake.Endpoint], handler, new EvapiOptions(), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EvapiConnector>.Instance);
        connector.Start();
        await fake.ConnectedAsync();

        var slow = fake.AskAsync(new { id = "slow" }, "slow");
        var fast = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => fake.AskAsync(new { id = "f" + i }, "f" + i)));
        Assert.Equal(50, fast.Length);
        Assert.False(slow.IsCompleted);
        handler.Gate.SetResult();
        Assert.Equal("slow", (await slow).GetProperty("id").GetString());
        Assert.Equal(1, fake.Accepted);
    }
}
