using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Billing.Tests.Switch;

/// <summary>One SIP message as read off the wire (RFC 3261 text, UDP).</summary>
public sealed class SipMessage
{
    public required string StartLine { get; init; }
    public required IReadOnlyList<(string Name, string Value)> Headers { get; init; }
    public required string Body { get; init; }
    public required IPEndPoint Source { get; init; }

    public bool IsRequest => !StartLine.StartsWith("SIP/2.0 ", StringComparison.Ordinal);
    public string Method => IsRequest ? StartLine[..StartLine.IndexOf(' ', StringComparison.Ordinal)] : CSeqMethod;
    public int Status => IsRequest ? 0 : int.Parse(StartLine.AsSpan(8, 3), CultureInfo.InvariantCulture);
    public string RequestUri => StartLine.Split(' ')[1];
    public string CallId => Header("Call-ID") ?? "";
    public string CSeq => Header("CSeq") ?? "";
    public string CSeqMethod => CSeq.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";

    private static readonly Dictionary<string, string> Compact = new(StringComparer.OrdinalIgnoreCase)
    {
        ["v"] = "Via", ["f"] = "From", ["t"] = "To", ["i"] = "Call-ID", ["m"] = "Contact", ["l"] = "Content-Length",
        ["c"] = "Content-Type",
    };

    public string? Header(string name) => All(name).FirstOrDefault();

    /// <summary>Every value of a header, comma-separated values split (the URIs used here carry no commas).</summary>
    public IEnumerable<string> All(string name) => Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
        .SelectMany(h => name is "Via" or "Record-Route" or "Route" ? h.Value.Split(',', StringSplitOptions.TrimEntries) : [h.Value]);

    public static SipMessage Parse(byte[] data, IPEndPoint source)
    {
        var text = Encoding.UTF8.GetString(data);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? "" : text[(split + 4)..];
        var lines = head.Split("\r\n");
        var headers = new List<(string, string)>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                headers[^1] = (headers[^1].Item1, headers[^1].Item2 + " " + line.Trim());
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line[..colon].Trim();
            headers.Add((Compact.GetValueOrDefault(name, name), line[(colon + 1)..].Trim()));
        }
        return new SipMessage { StartLine = lines[0], Headers = headers, Body = body, Source = source };
    }

    /// <summary>The tag parameter of a From/To value, or null.</summary>
    public static string? Tag(string? nameAddr)
    {
        if (nameAddr is null) return null;
        var i = nameAddr.IndexOf(";tag=", StringComparison.OrdinalIgnoreCase);
        if (i < 0) return null;
        var rest = nameAddr[(i + 5)..];
        var end = rest.IndexOfAny([';', ',', ' ']);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The URI inside &lt;…&gt; of a Contact/Route value (or the value itself).</summary>
    public static string Uri(string nameAddr)
    {
        var lt = nameAddr.IndexOf('<', StringComparison.Ordinal);
        var gt = nameAddr.IndexOf('>', StringComparison.Ordinal);
        return lt >= 0 && gt > lt ? nameAddr[(lt + 1)..gt] : nameAddr.Split(';')[0];
    }

    public override string ToString() => StartLine;
}

/// <summary>What the carrier (UAS) does with an INVITE.</summary>
public enum CarrierAnswer
{
    /// <summary>180 Ringing, then 200 OK with an SDP answer.</summary>
    Answer,
    /// <summary>486 Busy Here.</summary>
    Busy,
}

/// <summary>
/// A minimal SIP user agent over UDP on loopback: the UAC of a circuit (REGISTER, INVITE with an SDP stub, ACK, BYE,
/// answering digest challenges with MD5 and qop=auth) and/or the UAS of the carrier (answers INVITE with 180/200 or
/// 486). Both answer any BYE, CANCEL and OPTIONS with 200 OK. Every message received is kept per Call-ID so a test can
/// wait for what it expects. No retransmissions: loopback does not lose datagrams.
/// </summary>
public sealed class SipAgent : IAsyncDisposable
{
    /// <summary>How many times a request answers a 401/407 before it takes the challenge as the final answer.</summary>
    public const int MaxChallenges = 3;

    public const string UserAgentName = "billing-tests-sipagent/1.0";

    private const string Sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    private readonly UdpClient _udp;
    private readonly string _user;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, List<SipMessage>> _received = new();
    private readonly ConcurrentDictionary<string, CarrierAnswer> _answers = new();
    private readonly ConcurrentDictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private int _options;

    public SipAgent(string user)
    {
        _user = user;
        _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    /// <summary>The digest password this agent answers challenges with for <paramref name="account"/> (none: challenges are final).</summary>
    public void SetPassword(string account, string password) => _passwords[account] = password;

    /// <summary>How long the agent waits before it answers an OPTIONS (a slower phone, to measure keepalive round trips).</summary>
    public TimeSpan OptionsDelay { get; set; }

    /// <summary>OPTIONS requests received (keepalives).</summary>
    public int OptionsReceived => Volatile.Read(ref _options);

    /// <summary>How the UAS answers the INVITE of <paramref name="callId"/> (default: answered).</summary>
    public void AnswerWith(string callId, CarrierAnswer answer) => _answers[callId] = answer;

    /// <summary>Every message received for <paramref name="callId"/>, in arrival order.</summary>
    public IReadOnlyList<SipMessage> Received(string callId)
    {
        var list = _received.GetOrAdd(callId, _ => []);
        lock (list) return [.. list];
    }

    /// <summary>The first message of <paramref name="callId"/> that matches, waiting for it.</summary>
    public async Task<SipMessage> WaitAsync(string callId, Func<SipMessage, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Received(callId).FirstOrDefault(match) is { } m) return m;
            await Task.Delay(20);
        }
        throw new TimeoutException($"{_user}: {what} não chegou em {timeout.TotalSeconds} s (recebido: "
            + string.Join(" | ", Received(callId).Select(m => m.StartLine + " [" + m.CSeq + "]")) + ")");
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try
            {
                r = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP port unreachable of an earlier send
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var m = SipMessage.Parse(r.Buffer, r.RemoteEndPoint);
            var list = _received.GetOrAdd(m.CallId, _ => []);
            lock (list) list.Add(m);
            if (!m.IsRequest) continue;
            switch (m.Method)
            {
                case "INVITE":
                    if (_answers.GetValueOrDefault(m.CallId) == CarrierAnswer.Busy)
                    {
                        await SendAsync(Response(m, 486, "Busy Here", "busy-" + Tag()), m.Source);
                    }
                    else
                    {
                        var toTag = "uas-" + Tag();
                        await SendAsync(Response(m, 180, "Ringing", toTag), m.Source);
                        await SendAsync(Response(m, 200, "OK", toTag, Sdp), m.Source);
                    }
                    break;
                case "BYE":
                case "CANCEL":
                    await SendAsync(Response(m, 200, "OK", null), m.Source);
                    break;
                case "OPTIONS":
                    Interlocked.Increment(ref _options);
                    var delay = OptionsDelay;
                    var answer = Response(m, 200, "OK", "opt-" + Tag());
                    // off the receive loop: a delayed answer holds up nothing else
                    _ = Task.Run(async () =>
                    {
                        if (delay > TimeSpan.Zero) await Task.Delay(delay);
                        await SendAsync(answer, m.Source);
                    });
                    break;
            }
        }
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    private static string Branch() => "z9hG4bK-" + Guid.NewGuid().ToString("N");

    /// <summary>A response to <paramref name="request"/>: Vias, From, Call-ID, CSeq and Record-Route copied, To tagged.</summary>
    private string Response(SipMessage request, int code, string reason, string? toTag, string body = "")
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"SIP/2.0 {code} {reason}\r\n");
        foreach (var via in request.All("Via")) b.Append("Via: ").Append(via).Append("\r\n");
        b.Append("From: ").Append(request.Header("From")).Append("\r\n");
        var to = request.Header("To") ?? "";
        if (toTag is not null && SipMessage.Tag(to) is null) to += ";tag=" + toTag;
        b.Append("To: ").Append(to).Append("\r\n");
        b.Append("Call-ID: ").Append(request.CallId).Append("\r\n");
        b.Append("CSeq: ").Append(request.CSeq).Append("\r\n");
        if (request.Method == "INVITE" && code is > 100 and < 300)
        {
            foreach (var rr in request.All("Record-Route")) b.Append("Record-Route: ").Append(rr).Append("\r\n");
            b.Append(CultureInfo.InvariantCulture, $"Contact: <sip:{_user}@127.0.0.1:{Port}>\r\n");
        }
        if (body.Length > 0) b.Append("Content-Type: application/sdp\r\n");
        b.Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n").Append(body);
        return b.ToString();
    }

    private async Task SendAsync(string message, IPEndPoint to) => await _udp.SendAsync(Encoding.UTF8.GetBytes(message), to);

    /// <summary>
    /// Places a call as circuit <paramref name="account"/> (the From user) to <paramref name="destination"/> through the
    /// proxy, and returns once a final answer came (2xx: ACKed end to end through the route set; else ACKed hop by hop).
    /// <paramref name="headers"/> are extra header lines of the INVITE (e.g. <c>P-Asserted-Identity: &lt;sip:…&gt;</c>).
    /// </summary>
    public async Task<SipCall> CallAsync(IPEndPoint proxy, string account, string destination, string? callId = null,
        TimeSpan? timeout = null, IReadOnlyList<string>? headers = null)
    {
        var call = new SipCall(this, proxy, callId ?? "sip-" + Guid.NewGuid().ToString("N"), account, destination, "uac-" + Tag());
        var requestUri = $"sip:{destination}@127.0.0.1:{proxy.Port}";
        string? authorization = null;
        for (var cseq = 1; ; cseq++)
        {
            var branch = Branch();
            await SendAsync(call.Request("INVITE", requestUri, branch, cseq, Sdp, withRoute: false, authorization, headers), proxy);
            var n = cseq;
            var final = await WaitAsync(call.CallId, m => !m.IsRequest && m.CSeqMethod == "INVITE" && m.Status >= 200 && m.CSeq.StartsWith(
                    n.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal),
                timeout ?? TimeSpan.FromSeconds(10), "resposta final ao INVITE");
            call.Final = final;
            call.InviteCSeq = cseq;
            call.Answers.Add(final.Status);
            call.ToTag = SipMessage.Tag(final.Header("To"));
            if (final.Status is >= 200 and < 300)
            {
                call.RouteSet = [.. final.All("Record-Route").Reverse()];
                call.RemoteTarget = SipMessage.Uri(final.Header("Contact") ?? throw new InvalidOperationException("200 OK sem Contact"));
                await SendAsync(call.Request("ACK", call.RemoteTarget, Branch(), cseq, "", withRoute: true), proxy);
                return call;
            }
            // ACK of a non-2xx final answer: same branch and Request-URI as the INVITE, to the proxy that answered
            await SendAsync(call.Request("ACK", requestUri, branch, cseq, "", withRoute: false), proxy);
            if (final.Status is not (401 or 407) || cseq > MaxChallenges || !_passwords.TryGetValue(account, out var password)) return call;
            authorization = Digest.Answer(final, "INVITE", requestUri, account, password);
            call.ToTag = null;
        }
    }

    /// <summary>
    /// Registers circuit <paramref name="account"/> at the proxy with this agent's address as its contact
    /// (<paramref name="expires"/> 0: unregisters), answering digest challenges; returns every final answer, in order.
    /// </summary>
    public async Task<IReadOnlyList<SipMessage>> RegisterAsync(IPEndPoint proxy, string account, int expires, TimeSpan? timeout = null)
    {
        var callId = "reg-" + Guid.NewGuid().ToString("N");
        var fromTag = "reg-" + Tag();
        var requestUri = $"sip:127.0.0.1:{proxy.Port}";
        var answers = new List<SipMessage>();
        string? authorization = null;
        for (var cseq = 1; ; cseq++)
        {
            var b = new StringBuilder();
            b.Append(CultureInfo.InvariantCulture, $"REGISTER {requestUri} SIP/2.0\r\n");
            b.Append(CultureInfo.InvariantCulture, $"Via: SIP/2.0/UDP 127.0.0.1:{Port};branch={Branch()};rport\r\n");
            b.Append("Max-Forwards: 70\r\n");
            b.Append(CultureInfo.InvariantCulture, $"From: <sip:{account}@127.0.0.1>;tag={fromTag}\r\n");
            b.Append(CultureInfo.InvariantCulture, $"To: <sip:{account}@127.0.0.1>\r\n");
            b.Append("Call-ID: ").Append(callId).Append("\r\n");
            b.Append(CultureInfo.InvariantCulture, $"CSeq: {cseq} REGISTER\r\n");
            b.Append(CultureInfo.InvariantCulture, $"Contact: <sip:{account}@127.0.0.1:{Port}>\r\n");
            b.Append(CultureInfo.InvariantCulture, $"Expires: {expires}\r\n");
            b.Append("User-Agent: ").Append(UserAgentName).Append("\r\n");
            if (authorization is not null) b.Append(authorization).Append("\r\n");
            b.Append("Content-Length: 0\r\n\r\n");
            await SendAsync(b.ToString(), proxy);
            var n = cseq;
            var final = await WaitAsync(callId, m => !m.IsRequest && m.CSeqMethod == "REGISTER" && m.Status >= 200 && m.CSeq.StartsWith(
                    n.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal),
                timeout ?? TimeSpan.FromSeconds(10), "resposta final ao REGISTER");
            answers.Add(final);
            if (final.Status is not (401 or 407) || cseq > MaxChallenges || !_passwords.TryGetValue(account, out var password)) return answers;
            authorization = Digest.Answer(final, "REGISTER", requestUri, account, password);
        }
    }

    internal Task SendToAsync(string message, IPEndPoint to) => SendAsync(message, to);

    internal int LocalPort => Port;

    internal string User => _user;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

/// <summary>A call placed by a <see cref="SipAgent"/> (UAC side of one dialog).</summary>
public sealed class SipCall(SipAgent agent, IPEndPoint proxy, string callId, string account, string destination, string fromTag)
{
    public string CallId { get; } = callId;
    public SipMessage Final { get; internal set; } = null!;
    public int Status => Final.Status;
    internal string? ToTag { get; set; }
    internal IReadOnlyList<string> RouteSet { get; set; } = [];
    internal string RemoteTarget { get; set; } = "";
    internal int InviteCSeq { get; set; } = 1;

    /// <summary>The final answer to each INVITE sent, in order (a challenge, then the answer to the authenticated one).</summary>
    public List<int> Answers { get; } = [];

    internal string Request(string method, string requestUri, string branch, int cseq, string body, bool withRoute,
        string? authorization = null, IReadOnlyList<string>? headers = null)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"{method} {requestUri} SIP/2.0\r\n");
        b.Append(CultureInfo.InvariantCulture, $"Via: SIP/2.0/UDP 127.0.0.1:{agent.LocalPort};branch={branch};rport\r\n");
        b.Append("Max-Forwards: 70\r\n");
        if (withRoute) foreach (var r in RouteSet) b.Append("Route: ").Append(r).Append("\r\n");
        b.Append(CultureInfo.InvariantCulture, $"From: <sip:{account}@127.0.0.1>;tag={fromTag}\r\n");
        b.Append(CultureInfo.InvariantCulture, $"To: <sip:{destination}@127.0.0.1>");
        if (ToTag is not null) b.Append(";tag=").Append(ToTag);
        b.Append("\r\n");
        b.Append("Call-ID: ").Append(CallId).Append("\r\n");
        b.Append(CultureInfo.InvariantCulture, $"CSeq: {cseq} {method}\r\n");
        b.Append(CultureInfo.InvariantCulture, $"Contact: <sip:{account}@127.0.0.1:{agent.LocalPort}>\r\n");
        if (authorization is not null) b.Append(authorization).Append("\r\n");
        foreach (var h in headers ?? []) b.Append(h).Append("\r\n");
        if (body.Length > 0) b.Append("Content-Type: application/sdp\r\n");
        b.Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n").Append(body);
        return b.ToString();
    }

    /// <summary>Hangs up (BYE through the route set) and waits for its 200 OK.</summary>
    public async Task<SipMessage> HangUpAsync()
    {
        await agent.SendToAsync(Request("BYE", RemoteTarget, "z9hG4bK-" + Guid.NewGuid().ToString("N"), InviteCSeq + 1, "", withRoute: true), proxy);
        return await agent.WaitAsync(CallId, m => !m.IsRequest && m.CSeqMethod == "BYE", TimeSpan.FromSeconds(5), "resposta ao BYE");
    }
}

/// <summary>The UAC side of SIP digest authentication (RFC 2617/7616, MD5, qop=auth or none).</summary>
public static class Digest
{
    private static readonly Regex Param = new(@"(\w+)\s*=\s*(?:""([^""]*)""|([^\s,]+))", RegexOptions.CultureInvariant);

    /// <summary>The Authorization (401) or Proxy-Authorization (407) header line answering <paramref name="challenge"/>.</summary>
    public static string Answer(SipMessage challenge, string method, string uri, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var proxy = challenge.Status == 407;
        var header = challenge.Header(proxy ? "Proxy-Authenticate" : "WWW-Authenticate")
            ?? throw new InvalidOperationException($"{challenge.Status} sem desafio digest");
        if (!header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase)) throw new InvalidOperationException("desafio não é digest: " + header);
        var p = Param.Matches(header[7..]).ToDictionary(m => m.Groups[1].Value.ToLowerInvariant(),
            m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value);
        var realm = p["realm"];
        var nonce = p["nonce"];
        var ha1 = Md5($"{user}:{realm}:{password}");
        var ha2 = Md5($"{method}:{uri}");
        var b = new StringBuilder(proxy ? "Proxy-Authorization" : "Authorization");
        b.Append(CultureInfo.InvariantCulture, $": Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\"");
        if (p.TryGetValue("qop", out var qops) && qops.Split(',', StringSplitOptions.TrimEntries).Contains("auth"))
        {
            var cnonce = Guid.NewGuid().ToString("N")[..16];
            const string nc = "00000001";
            b.Append(CultureInfo.InvariantCulture,
                $", response=\"{Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}\", cnonce=\"{cnonce}\", nc={nc}, qop=auth");
        }
        else
        {
            b.Append(CultureInfo.InvariantCulture, $", response=\"{Md5($"{ha1}:{nonce}:{ha2}")}\"");
        }
        b.Append(", algorithm=MD5");
        if (p.TryGetValue("opaque", out var opaque)) b.Append(CultureInfo.InvariantCulture, $", opaque=\"{opaque}\"");
        return b.ToString();
    }

#pragma warning disable CA5351 // SIP digest is MD5 by definition
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
