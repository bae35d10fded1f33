using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Npgsql;

namespace Billing.Api.Apis;

public sealed record SipTraceRequest(bool? Enabled);

public sealed record SipTraceMessageItem(DateTimeOffset At, string Direction, string Src, string Dst, string Message);

public sealed record SipTraceResponse(
    string Account, bool Enabled, DateTimeOffset? EnabledAt, string? EnabledBy, int MaxMessages, int MaxAgeHours,
    IReadOnlyList<SipTraceMessageItem> Messages);

/// <summary>
/// SIP Trace of a circuit (seed 003's "Trace" action; README "SIP Trace"): switch it on/off, read what Kamailio reported,
/// newest first. The switch goes through the circuit's trace grain; the messages are read from <c>sip_traces</c>.
/// </summary>
public static class SipTraceApi
{
    public static IEndpointRouteBuilder MapSipTraceApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/circuits").WithTags("Circuitos").RequireAuthorization(Policies.Admin);
        admin.MapGet("/{account}/trace", Get);
        admin.MapPut("/{account}/trace", Set);
        return app;
    }

    internal static async Task<IResult> Set(string account, SipTraceRequest body, IClusterClient cluster, HttpContext http)
    {
        if (body.Enabled is not { } enabled)
            return Problems.Field("enabled", "Informe enabled: true para ligar o trace SIP do circuito, false para desligar.");
        if (!CircuitKeys.IsValidAccount(account) || await cluster.Circuit(account).Get() is null)
            return Problems.NotFound($"Circuito {account} não encontrado.");
        var status = await cluster.SipTrace(account).SetEnabled(enabled, CommandResults.Actor(http));
        return TypedResults.Ok(new SipTraceResponse(account, status.Enabled, status.EnabledAt, status.EnabledBy,
            SipTraceBounds.MaxMessages, (int)SipTraceBounds.MaxAge.TotalHours, []));
    }

    internal static async Task<IResult> Get(string account, IClusterClient cluster, NpgsqlDataSource db, TimeProvider clock,
        CancellationToken ct, int? limit = null)
    {
        if (limit is { } l && (l < 1 || l > SipTraceBounds.MaxMessages))
            return Problems.Field("limit", $"Use de 1 a {SipTraceBounds.MaxMessages} mensagens.");
        if (!CircuitKeys.IsValidAccount(account) || await cluster.Circuit(account).Get() is null)
            return Problems.NotFound($"Circuito {account} não encontrado.");
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
        return TypedResults.Ok(new SipTraceResponse(account, status.Enabled, status.EnabledAt, status.EnabledBy,
            SipTraceBounds.MaxMessages, (int)SipTraceBounds.MaxAge.TotalHours, messages));
    }
}
