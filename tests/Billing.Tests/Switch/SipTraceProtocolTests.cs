using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Silo.Switch;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Switch;

/// <summary>
/// The switch protocol's SIP trace messages between the silo's connector and a fake Kamailio: the traced set on connect
/// and on each change, <c>sip</c> events stored for traced circuits only, never answered.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SipTraceProtocolTests(ClusterFixture cluster)
{
    private static readonly EvapiOptions FastBackoff = new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400),
    };

    private static async Task<JsonElement> Published(FakeEvapi fake, string account, bool enabled, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            var hit = fake.Published.FirstOrDefault(p => p.GetProperty("account").GetString() == account
                && p.GetProperty("enabled").GetBoolean() == enabled);
            if (hit.ValueKind == JsonValueKind.Object) return hit;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"o cluster não enviou trace {account} {enabled}: " + string.Join(" | ", fake.Published));
            await Task.Delay(50);
        }
    }

    private async Task<List<(DateTimeOffset At, string Direction, string Src, string Message)>> Stored(string account)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT at, direction, src, message FROM sip_traces WHERE account = @a ORDER BY id");
        cmd.Parameters.AddWithValue("a", account);
        var rows = new List<(DateTimeOffset, string, string, string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add((new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetString(1), r.GetString(2), r.GetString(3)));
        return rows;
    }

    private static byte[] Frame(string json) => Netstring.Encode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task WhenACircuitIsTraced_ThenEveryConnectionIsToldAndOnlyItsSipEventsAreStoredUnanswered()
    {
        var traced = Seed.NewAccount();
        var untraced = Seed.NewAccount();
        await using var fake = new FakeEvapi();
        await using var connector = cluster.Silo.Services.CreateEvapiConnector([fake.Endpoint], FastBackoff);
        connector.Start();
        await fake.ConnectedAsync();

        await cluster.Grains.SipTrace(traced).SetEnabled(true, "teste");
        var on = await Published(fake, traced, true, TimeSpan.FromSeconds(5));
        Assert.Equal("trace", on.GetProperty("event").GetString());

        // a connection that comes up later gets the whole set at once
        await using (var late = new FakeEvapi())
        await using (var lateConnector = cluster.Silo.Services.CreateEvapiConnector([late.Endpoint], FastBackoff))
        {
            lateConnector.Start();
            await late.ConnectedAsync();
            await Published(late, traced, true, TimeSpan.FromSeconds(2));
        }

        var at = DateTimeOffset.UtcNow.AddSeconds(-2);
        var unix = (at.ToUnixTimeMilliseconds() / 1000m).ToString("0.000", CultureInfo.InvariantCulture) + "456";
        string Sip(string account, string direction, string message) => JsonSerializer.Serialize(new
        {
            @event = "sip", account, at = unix, direction, src = "udp:10.0.0.7:5060", dst = "udp:127.0.0.1:5060", message,
        });
        await fake.SendRawAsync(Frame(Sip(traced, "in", "OPTIONS sip:127.0.0.1 SIP/2.0\r\nFrom: <sip:" + traced + "@x>\r\n\r\n")));
        await fake.SendRawAsync(Frame(Sip(untraced, "in", "de outro circuito")));
        await fake.SendRawAsync(Frame(Sip("abc", "in", "conta inválida")));
        await fake.SendRawAsync(Frame(Sip(traced, "sideways", "direção inválida")));
        await fake.SendRawAsync(Frame("{\"event\":\"sip\",\"account\":\"" + traced + "\",\"direction\":\"out\",\"src\":\"a\",\"dst\":\"b\",\"message\":\"sem at\"}"));
        await fake.SendRawAsync(Frame(Sip(traced, "out", "SIP/2.0 200 Keepalive\r\n\r\n")));

        var until = DateTime.UtcNow.AddSeconds(5);
        List<(DateTimeOffset At, string Direction, string Src, string Message)> rows;
        while ((rows = await Stored(traced)).Count < 2 && DateTime.UtcNow < until) await Task.Delay(100);
        await Task.Delay(600); // anything else would have come with the same flush
        // the connector handles events concurrently: same instant, arrival order not fixed
        rows = [.. (await Stored(traced)).OrderBy(r => r.Direction, StringComparer.Ordinal)];
        Assert.Equal(["in", "out"], rows.Select(r => r.Direction));
        Assert.StartsWith("OPTIONS sip:127.0.0.1 SIP/2.0\r\n", rows[0].Message, StringComparison.Ordinal);
        Assert.Equal("udp:10.0.0.7:5060", rows[0].Src);
        // microseconds of $TV(Sn) survive (PostgreSQL keeps microseconds)
        Assert.Equal(at.ToUnixTimeMilliseconds() * 1000 + 456, (rows[0].At - DateTimeOffset.UnixEpoch).Ticks / 10);
        Assert.Empty(await Stored(untraced));
        Assert.Empty(fake.Unmatched); // sip events are never answered

        await cluster.Grains.SipTrace(traced).SetEnabled(false, "teste");
        await Published(fake, traced, false, TimeSpan.FromSeconds(5));
    }
}
