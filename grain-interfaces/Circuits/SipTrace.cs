using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>One SIP message Kamailio received (<c>in</c>) or sent (<c>out</c>) for a traced circuit.</summary>
[GenerateSerializer, Immutable, Alias("Billing.SipTraceMessage")]
public sealed record SipTraceMessage(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Direction,
    [property: Id(2)] string Source,
    [property: Id(3)] string Destination,
    [property: Id(4)] string Message);

/// <summary>Whether a circuit is traced, since when and by whom.</summary>
[GenerateSerializer, Immutable, Alias("Billing.SipTraceStatus")]
public sealed record SipTraceStatus(
    [property: Id(0)] string Account,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] DateTimeOffset? EnabledAt,
    [property: Id(3)] string? EnabledBy);

/// <summary>The traced circuits as the directory knows them: <see cref="Epoch"/> changes when it reactivates.</summary>
[GenerateSerializer, Immutable, Alias("Billing.SipTraceSet")]
public sealed record SipTraceSet(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Version,
    [property: Id(2)] ImmutableArray<string> Accounts);

/// <summary>
/// The bounds of a circuit's SIP trace (README "SIP Trace"): the last <see cref="MaxMessages"/> messages, none older
/// than <see cref="MaxAge"/>, whichever keeps fewer; and what a message may hold before it is stored.
/// </summary>
public static class SipTraceBounds
{
    public const int MaxMessages = 500;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    /// <summary>A message longer than this (characters) is cut, with a marker; Kamailio sends at most 32 KiB.</summary>
    public const int MaxMessageChars = 48 * 1024;

    /// <summary>Source/destination (<c>udp:203.0.113.10:5060</c>, IPv6 in brackets) longer than this are cut.</summary>
    public const int MaxAddressChars = 100;

    public const string Truncated = "\n[… mensagem cortada …]";

    /// <summary>Messages before this are gone.</summary>
    public static DateTimeOffset Cutoff(DateTimeOffset now) => now - MaxAge;

    /// <summary>
    /// What the bounds keep of <paramref name="messages"/> at <paramref name="now"/>, newest first (by time, then by
    /// arrival order for equal times): the same rule the store applies in SQL, used by its tests and by readers.
    /// </summary>
    public static IReadOnlyList<SipTraceMessage> Keep(IEnumerable<SipTraceMessage> messages, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var cutoff = Cutoff(now);
        return messages
            .Select((m, i) => (m, i))
            .Where(x => x.m.At >= cutoff)
            .OrderByDescending(x => x.m.At).ThenByDescending(x => x.i)
            .Take(MaxMessages)
            .Select(x => x.m)
            .ToList();
    }

    /// <summary>
    /// A message as it can be stored: NUL (PostgreSQL text refuses it) and lone surrogates replaced by U+FFFD, cut
    /// to <see cref="MaxMessageChars"/>; a time in the future (a switch clock ahead) is taken as <paramref name="now"/>.
    /// </summary>
    public static SipTraceMessage Clean(SipTraceMessage m, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(m);
        var text = Scrub(m.Message);
        if (text.Length > MaxMessageChars) text = text[..MaxMessageChars] + Truncated;
        return m with
        {
            At = m.At > now ? now : m.At,
            Direction = m.Direction == "out" ? "out" : "in",
            Source = Cut(Scrub(m.Source), MaxAddressChars),
            Destination = Cut(Scrub(m.Destination), MaxAddressChars),
            Message = text,
        };
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max];

    private static string Scrub(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        char[]? copy = null;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var bad = c == '\0'
                || (char.IsHighSurrogate(c) && (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1])));
            if (!bad) continue;
            copy ??= s.ToCharArray();
            copy[i] = '\uFFFD';
        }
        return copy is null ? s : new string(copy);
    }
}

/// <summary>
/// SIP Trace of one circuit (key <see cref="SipTraceKeys.Trace"/>): the on/off switch an admin sets and the messages
/// Kamailio reports while it is on. Owner of the circuit's row of <c>sip_trace_circuits</c> and of its rows of
/// <c>sip_traces</c> (migration 0014). Messages that arrive while tracing is off are dropped.
/// </summary>
[Alias("Billing.ISipTraceGrain")]
public interface ISipTraceGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<SipTraceStatus> Get();

    /// <summary>On or off (recorded in the audit log under <paramref name="actor"/>); the directory learns it before this returns.</summary>
    [Alias("SetEnabled")]
    Task<SipTraceStatus> SetEnabled(bool enabled, string actor);

    /// <summary>A batch of messages (one INSERT and the pruning in one round trip); ignored while tracing is off.</summary>
    [Alias("Append")]
    Task Append(ImmutableArray<SipTraceMessage> messages);

    /// <summary>Deletes what is past the bounds now (messages older than 24 h of a circuit that no longer writes).</summary>
    [Alias("Prune")]
    Task Prune();
}

/// <summary>
/// Which circuits are traced, for every silo's evapi connector (key <see cref="SipTraceKeys.Directory"/>). In memory:
/// loaded from <c>sip_trace_circuits</c> at activation (a read), told of each change by the circuits' trace grains,
/// re-read every minute. It also asks the trace grains of circuits with messages older than 24 h to prune them.
/// </summary>
[Alias("Billing.ISipTraceDirectoryGrain")]
public interface ISipTraceDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The set when it differs from the one known (<paramref name="epoch"/>, <paramref name="version"/>); null when unchanged.</summary>
    [Alias("GetIfChanged")]
    Task<SipTraceSet?> GetIfChanged(Guid epoch, long version);

    [Alias("Set")]
    Task Set(string account, bool enabled);
}

public static class SipTraceKeys
{
    public const string Directory = "sip-trace";

    public static string Trace(string account) => "trace:" + account;

    public static ISipTraceGrain SipTrace(this IGrainFactory grains, string account)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ISipTraceGrain>(Trace(account));
    }

    public static ISipTraceDirectoryGrain SipTraceDirectory(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ISipTraceDirectoryGrain>(Directory);
    }
}
