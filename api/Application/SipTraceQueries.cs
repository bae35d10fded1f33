using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Npgsql;

namespace Billing.Api.Application;

public sealed record SipTraceMessageItem(DateTimeOffset At, string Direction, string Src, string Dst, string Message);

public sealed record SipTraceResponse(
    string Account, bool Enabled, DateTimeOffset? EnabledAt, string? EnabledBy, int MaxMessages, int MaxAgeHours,
    IReadOnlyList<SipTraceMessageItem> Messages)
{
    /// <summary>The trace's state with the bounds it keeps to, and the given messages.</summary>
    public static SipTraceResponse Of(string account, SipTraceStatus status, IReadOnlyList<SipTraceMessageItem> messages)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(account, status.Enabled, status.EnabledAt, status.EnabledBy, SipTraceBounds.MaxMessages,
            (int)SipTraceBounds.MaxAge.TotalHours, messages);
    }
}

/// <summary>
/// Read side of a circuit's SIP Trace (<c>GET /api/circuits/{account}/trace</c> and the admin page): whether it is on
/// (the circuit's trace grain) and the messages, newest first, read from <c>sip_traces</c> (written by that grain).
/// </summary>
public sealed class SipTraceQueries(IClusterClient cluster, NpgsqlDataSource db, TimeProvider clock)
{
    public async Task<CommandResult<SipTraceResponse>> Get(string account, int? limit, CancellationToken ct)
    {
        if (limit is { } l && (l < 1 || l > SipTraceBounds.MaxMessages))
            return CommandResult<SipTraceResponse>.Invalid("limit", $"Use de 1 a {SipTraceBounds.MaxMessages} mensagens.");
        if (!await Exists(account)) return CommandResult<SipTraceResponse>.NotFound($"Circuito {account} não encontrado.");
        var status = await cluster.SipTrace(account).Get();
        await using var cmd = db.CreateCommand(
            """
            SELECT at, direction, src, dst, message FROM sip_traces
            WHERE account = @a AND at >= @cutoff
            ORDER BY at DESC, id DESC
            LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("cutoff", SipTraceBounds.Cutoff(clock.GetUtcNow()).UtcDateTime);
        cmd.Parameters.AddWithValue("limit", limit ?? SipTraceBounds.MaxMessages);
        var messages = new List<SipTraceMessageItem>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                messages.Add(new SipTraceMessageItem(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetString(1),
                    r.GetString(2), r.GetString(3), r.GetString(4)));
        }
        return CommandResult<SipTraceResponse>.Ok(SipTraceResponse.Of(account, status, messages));
    }

    /// <summary>Whether the circuit exists (a valid number and a live circuit).</summary>
    public async Task<bool> Exists(string account) =>
        CircuitKeys.IsValidAccount(account) && await cluster.Circuit(account).Get() is not null;
}
