using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Billing.Tests.AdminWeb;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Switch;

/// <summary>
/// SIP Trace end to end: the admin switches it on through the API, the cluster tells a real Kamailio (shipped cfg) over
/// evapi, Kamailio reports the circuit's SIP messages as sip events, the trace grain stores them, the API and the
/// circuit's admin page show them; another circuit's messages never appear; switched off, nothing more is kept.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class SipTraceKamailioTests(ClusterFixture cluster, KamailioFixture sip) : IClassFixture<KamailioFixture>
{
    private const string Local = "1133334444";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    private sealed record Traced(DateTimeOffset At, string Direction, string Src, string Dst, string Message)
    {
        public string StartLine => Message[..Message.IndexOf('\r', StringComparison.Ordinal)];
    }

    private async Task<string> Circuit(HttpClient admin, decimal credit)
    {
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.60m);
        var account = await Seed.CircuitAsync(admin, customer, plan);
        await Seed.CreditAsync(admin, account, credit);
        var password = "sip-" + Guid.NewGuid().ToString("N")[..12];
        Assert.Equal(HttpStatusCode.NoContent,
            (await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { sipPassword = password })).StatusCode);
        sip.Phone.SetPassword(account, password);
        return account;
    }

    private static async Task<List<Traced>> TraceOf(HttpClient admin, string account)
    {
        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{account}/trace");
        return [.. view.GetProperty("messages").EnumerateArray().Select(m => new Traced(
            m.GetProperty("at").GetDateTimeOffset(), m.GetProperty("direction").GetString()!, m.GetProperty("src").GetString()!,
            m.GetProperty("dst").GetString()!, m.GetProperty("message").GetString()!))];
    }

    private static async Task<List<Traced>> WaitFor(HttpClient admin, string account, Func<List<Traced>, bool> done, TimeSpan wait, string what)
    {
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            var trace = await TraceOf(admin, account);
            if (done(trace)) return trace;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{what}: o trace tem {trace.Count} mensagens:\n" + string.Join("\n", trace.Select(t => t.Direction + " " + t.StartLine)));
            await Task.Delay(150);
        }
    }

    /// <summary>A keepalive OPTIONS from the circuit (answered by Kamailio itself).</summary>
    private string Options(string account, string callId)
    {
        var port = sip.Kamailio.SipPort.ToString(CultureInfo.InvariantCulture);
        var local = sip.Phone.LocalPort.ToString(CultureInfo.InvariantCulture);
        return $"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            + $"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{Guid.NewGuid():N};rport\r\n"
            + "Max-Forwards: 70\r\n"
            + $"From: <sip:{account}@127.0.0.1>;tag={Guid.NewGuid():N}\r\n"
            + $"To: <sip:127.0.0.1:{port}>\r\n"
            + $"Call-ID: {callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /// <summary>Until Kamailio traces the circuit (the cluster tells it within a second): its keepalives show up.</summary>
    private async Task WaitUntilTraced(HttpClient admin, string account)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var probe = "probe-" + Guid.NewGuid().ToString("N");
            await sip.Phone.SendToAsync(Options(account, probe), sip.Kamailio.Sip);
            await Task.Delay(500);
            if ((await TraceOf(admin, account)).Any(t => t.Message.Contains(probe, StringComparison.Ordinal))) return;
            Assert.True(DateTime.UtcNow < until, "o Kamailio não passou a fazer trace do circuito " + account + "\n" + sip.Kamailio.Log);
        }
    }

    private async Task<string> AnsweredCall(string account)
    {
        var call = await sip.Phone.CallAsync(sip.Kamailio.Sip, account, Local);
        Assert.True(call.Status == 200, call.Final.StartLine + "\n" + sip.Kamailio.Log);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "ACK", TimeSpan.FromSeconds(2), "ACK na operadora");
        var bye = await call.HangUpAsync();
        Assert.Equal(200, bye.Status);
        await sip.Carrier.WaitAsync(call.CallId, m => m.IsRequest && m.Method == "BYE", TimeSpan.FromSeconds(3), "BYE na operadora");
        return call.CallId;
    }

    private static async Task<HttpClient> AdminWebAsync(ClusterFixture cluster)
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var http = web.Http();
        var token = TokenRegex().Match(await http.GetStringAsync("/admin/login")).Groups[1].Value;
        var r = await http.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Usuario"] = AdminWebServer.User, ["Senha"] = AdminWebServer.Password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        return http;
    }

    [KamailioFact]
    public async Task WhenACircuitIsTraced_ThenItsCallIsKeptAndShown_OtherCircuitsNever_AndSwitchedOffNothingMoreIsKept()
    {
        await sip.ConnectAsync(cluster);
        var admin = cluster.AsAdmin();
        var traced = await Circuit(admin, 10m);
        var other = await Circuit(admin, 10m);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{traced}/trace", new { enabled = true })).StatusCode);
        await WaitUntilTraced(admin, traced);

        // the other circuit calls too, once to a number that is the traced circuit's account (To user = traced)
        var otherCall = await AnsweredCall(other);
        var otherToTraced = await sip.Phone.CallAsync(sip.Kamailio.Sip, other, traced);
        var callId = await AnsweredCall(traced);

        // Kamailio received the INVITE and the BYE from the circuit, relayed both to the carrier, and the answers back
        bool Bye(Traced m, string direction) => m.Direction == direction && m.StartLine.StartsWith("BYE ", StringComparison.Ordinal)
            && m.Message.Contains(callId, StringComparison.Ordinal);
        var trace = await WaitFor(admin, traced, t => t.Any(m => Bye(m, "in")) && t.Any(m => Bye(m, "out")),
            TimeSpan.FromSeconds(10), "BYE recebido e enviado");
        var call = trace.Where(m => m.Message.Contains("Call-ID: " + callId, StringComparison.Ordinal)).ToList();
        var carrier = "udp:127.0.0.1:" + sip.Carrier.Port.ToString(CultureInfo.InvariantCulture);
        var phone = "udp:127.0.0.1:" + sip.Phone.LocalPort.ToString(CultureInfo.InvariantCulture);
        var kamailio = "udp:127.0.0.1:" + sip.Kamailio.SipPort.ToString(CultureInfo.InvariantCulture);
        // (UDP: a retransmission may show up twice; the first one is checked)
        Traced One(string direction, string startLine, string cseqMethod)
        {
            var found = call.LastOrDefault(m => m.Direction == direction && m.StartLine.StartsWith(startLine, StringComparison.Ordinal)
                && Regex.IsMatch(m.Message, $"\r\nCSeq: *\\d+ {cseqMethod}\r\n"));
            Assert.True(found is not null, $"{direction} {startLine} ({cseqMethod}) não está no trace:\n"
                + string.Join("\n", call.Select(t => t.Direction + " " + t.StartLine)));
            return found;
        }
        var inviteIn = One("in", $"INVITE sip:{Local}@", "INVITE");
        Assert.Equal(phone, inviteIn.Src);
        Assert.Equal(kamailio, inviteIn.Dst);
        Assert.Contains($"From: <sip:{traced}@", inviteIn.Message, StringComparison.Ordinal);
        Assert.Contains("m=audio", inviteIn.Message, StringComparison.Ordinal); // the whole message, SDP included
        One("out", "SIP/2.0 407", "INVITE"); // the digest challenge Kamailio answered first
        var inviteOut = One("out", $"INVITE sip:{Local}@127.0.0.1:{sip.Carrier.Port}", "INVITE");
        Assert.Equal(carrier, inviteOut.Dst);
        Assert.Contains("Record-Route:", inviteOut.Message, StringComparison.Ordinal); // as relayed, not as received
        Assert.Equal(carrier, One("in", "SIP/2.0 200", "INVITE").Src);  // the carrier's answer
        Assert.Equal(phone, One("out", "SIP/2.0 200", "INVITE").Dst);   // relayed to the circuit
        One("in", "SIP/2.0 200", "BYE");
        var byeIn = One("in", "BYE ", "BYE");
        var byeOut = One("out", "BYE ", "BYE");
        Assert.Equal(phone, byeIn.Src);
        Assert.Equal(carrier, byeOut.Dst);
        Assert.True(byeIn.At >= inviteIn.At && byeOut.At >= byeIn.At);
        Assert.True(trace.IndexOf(byeOut) < trace.IndexOf(inviteIn), "newest first");

        // nothing of the other circuit: not its calls, not its call to the traced circuit's number
        Assert.DoesNotContain(trace, m => m.Message.Contains(otherCall, StringComparison.Ordinal)
            || m.Message.Contains(otherToTraced.CallId, StringComparison.Ordinal)
            || m.Message.Contains($"sip:{other}@", StringComparison.Ordinal));
        Assert.Empty(await TraceOf(admin, other));

        // the circuit's admin page shows them, escaped, newest first; the list has the Trace action
        var web = await AdminWebAsync(cluster);
        var html = await web.GetStringAsync($"/admin/circuitos/{traced}/trace");
        Assert.Contains("Ligado", html, StringComparison.Ordinal);
        Assert.Contains($"From: &lt;sip:{traced}@127.0.0.1", html, StringComparison.Ordinal);
        Assert.DoesNotContain($"<sip:{traced}@", html, StringComparison.Ordinal);
        var byeAt = html.IndexOf("BYE sip:", StringComparison.Ordinal);
        var inviteAt = html.IndexOf($"INVITE sip:{Local}@127.0.0.1:{sip.Kamailio.SipPort}", StringComparison.Ordinal);
        Assert.True(byeAt >= 0 && inviteAt > byeAt, "a página mostra o BYE antes do INVITE (mais nova primeiro)");
        Assert.Contains($"href=\"/admin/circuitos/{traced}/trace\"", await web.GetStringAsync($"/admin/circuitos?busca={traced}"), StringComparison.Ordinal);

        // switched off on the page: a later call of the circuit adds nothing
        var token = TokenRegex().Match(html).Groups[1].Value;
        var off = await web.PostAsync($"/admin/circuitos/{traced}/trace?handler=Desligar",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.Contains("Desligado", await web.GetStringAsync($"/admin/circuitos/{traced}/trace"), StringComparison.Ordinal);
        var kept = (await TraceOf(admin, traced)).Count;
        var later = await AnsweredCall(traced);
        await Task.Delay(1500); // more than a flush
        var afterOff = await TraceOf(admin, traced);
        Assert.Equal(kept, afterOff.Count);
        Assert.DoesNotContain(afterOff, m => m.Message.Contains(later, StringComparison.Ordinal));
    }
}
