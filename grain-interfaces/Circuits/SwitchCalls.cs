using Billing.GrainInterfaces.Dids;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>An authorize as a switch sends it (REST body or switch-protocol event), not yet validated.</summary>
public sealed record SwitchAuthorize(
    string? CallId, string? Account, string? Destination, CallDirection? Direction, string? Caller, string? Did,
    bool? Collect = null, string? CallType = null);

/// <summary>A complete as a switch sends it (REST body or switch-protocol event), not yet validated.</summary>
public sealed record SwitchComplete(
    int? DurationSeconds, DateTimeOffset? AnsweredAt, string? HangupCause,
    string? Account, string? Destination, CallDirection? Direction, DateTimeOffset? StartedAt, string? Caller);

/// <summary>
/// The answer to an authorize: field <see cref="Errors"/> (bad input, nothing asked of the grains), a call id in use
/// by another circuit (<see cref="ConflictAccount"/>), or the circuit's decision.
/// </summary>
public sealed record SwitchAuthorization
{
    public IReadOnlyList<(string Field, string Message)> Errors { get; init; } = [];
    public bool Inbound { get; init; }
    public bool Allowed { get; init; }
    public int MaxSeconds { get; init; }
    public string? CallType { get; init; }
    public decimal? PricePerMinute { get; init; }
    public string? Reason { get; init; }
    /// <summary>Inbound: the DID's owner circuit and the DID (E.164).</summary>
    public string? Account { get; init; }
    public string? Did { get; init; }
    /// <summary>Inbound siga-me: the number the switch forwards the call to.</summary>
    public string? ForwardTo { get; init; }
    /// <summary>The call id belongs to a call of this other circuit (REST: 409).</summary>
    public string? ConflictAccount { get; init; }

    internal static SwitchAuthorization Refused(string reason, bool inbound = false) => new() { Reason = reason, Inbound = inbound };
}

/// <summary>The answer to an extend: field errors, or the circuit's decision (unknown call → <c>chamada_desconhecida</c>).</summary>
public sealed record SwitchExtension(
    IReadOnlyList<(string Field, string Message)> Errors, bool Allowed, int MaxSeconds, int TotalSeconds, string? Reason);

/// <summary>
/// The answer to a complete: field errors, no route for a call that named no account (<see cref="UnknownCall"/>), or
/// the circuit that billed it and its <see cref="CompleteResult"/>.
/// </summary>
public sealed record SwitchCompletion
{
    public IReadOnlyList<(string Field, string Message)> Errors { get; init; } = [];
    public bool UnknownCall { get; init; }
    public string? Account { get; init; }
    public CompleteResult? Result { get; init; }
}

/// <summary>
/// The softswitch's hot path (authorize, extend, complete) as one application service for every edge that speaks to a
/// switch: the REST handlers of the API host and the evapi connector of the silo. It validates with
/// <see cref="CallInput"/> and makes the grain calls (call-route shards, DIDs); idempotency, refusal reasons and
/// durability before the answer are the grains'. The edges only translate its answers (HTTP, or switch-protocol JSON).
/// </summary>
public sealed class SwitchCalls(IGrainFactory grains, int routeShards, ILogger<SwitchCalls> log)
{
    /// <summary>The shard count both hosts read (<see cref="CallLimits.RouteShards"/>, validated at start).</summary>
    public static int ShardsFrom(IConfiguration configuration) => CallLimits.From(configuration).RouteShards;

    public ICallRouteShardGrain Route(string callId) => grains.RouteShard(callId, routeShards);

    public async Task<SwitchAuthorization> AuthorizeAsync(SwitchAuthorize body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Direction == CallDirection.Inbound) return await AuthorizeInboundAsync(body);
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(body.Account)) errors.Add(("account", "Informe o circuito (conta SIP)."));
        else if (CallInput.NumberProblem(body.Account, 20) is { } accountProblem) errors.Add(("account", accountProblem));
        errors.AddRange(CallInput.AuthorizeProblems(new AuthorizeRequest(body.CallId!, body.Destination!, CallDirection.Outbound, body.Caller)));
        if (errors.Count > 0) return new SwitchAuthorization { Errors = errors };
        if (!CircuitKeys.IsValidAccount(body.Account)) return SwitchAuthorization.Refused(RefusalReasons.CircuitoDesconhecido);

        var request = new AuthorizeRequest(body.CallId!, body.Destination!.Trim(), CallDirection.Outbound, body.Caller);
        // one hop: the call's route shard records the route and asks the circuit
        var result = await Route(body.CallId!).Authorize(body.Account!, request);
        return new SwitchAuthorization
        {
            Allowed = result.Allowed, MaxSeconds = result.MaxSeconds, CallType = result.CallType,
            PricePerMinute = result.PricePerMinute, Reason = result.Allowed ? null : result.Reason,
            ConflictAccount = result.ConflictAccount,
        };
    }

    /// <summary>
    /// An inbound call through a DID: unknown/inactive DID → <c>did_desconhecido</c>; then the owner circuit
    /// checks blacklist, collect calls and siga-me (answering <c>forwardTo</c> for a forwarded call).
    /// </summary>
    private async Task<SwitchAuthorization> AuthorizeInboundAsync(SwitchAuthorize body)
    {
        var errors = new List<(string, string)>();
        if (CallInput.CallIdProblem(body.CallId) is { } idProblem) errors.Add(("callId", idProblem));
        // the DID dialled; a switch that sends it as the destination is understood too
        var didText = body.Did ?? body.Destination;
        if (string.IsNullOrWhiteSpace(didText)) errors.Add(("did", "Informe o DID chamado."));
        else if (CallInput.NumberProblem(didText, CallInput.MaxDid) is { } didProblem) errors.Add(("did", didProblem));
        if (CallInput.NumberProblem(body.Caller) is { } callerProblem) errors.Add(("caller", callerProblem));
        if (body.Account is not null && !CircuitKeys.IsValidAccount(body.Account)) errors.Add(("account", "Circuito inválido."));
        if (errors.Count > 0) return new SwitchAuthorization { Errors = errors, Inbound = true };
        if (DidNumbers.Normalize(didText) is not { } did) return SwitchAuthorization.Refused(RefusalReasons.DidDesconhecido, inbound: true);
        var route = await grains.Did(did).Route();
        // a switch that names a circuit other than the DID's owner is routing a number it should not
        if (route is null || (body.Account is not null && !string.Equals(body.Account, route.Account, StringComparison.Ordinal)))
            return SwitchAuthorization.Refused(RefusalReasons.DidDesconhecido, inbound: true);

        var collect = body.Collect == true || string.Equals(body.CallType, "a_cobrar", StringComparison.OrdinalIgnoreCase);
        var request = new AuthorizeRequest(body.CallId!, did, CallDirection.Inbound, body.Caller?.Trim()) { Inbound = route, Collect = collect };
        var result = await Route(body.CallId!).Authorize(route.Account, request);
        if (result.ConflictAccount is not null || !result.Allowed)
            return new SwitchAuthorization { Inbound = true, Reason = result.Reason, ConflictAccount = result.ConflictAccount };
        return new SwitchAuthorization
        {
            Inbound = true, Allowed = true, Account = route.Account, Did = did, MaxSeconds = result.MaxSeconds,
            CallType = result.CallType, PricePerMinute = result.PricePerMinute, ForwardTo = result.ForwardTo,
        };
    }

    public async Task<SwitchExtension> ExtendAsync(string? callId)
    {
        if (!CallInput.ValidCallId(callId))
            return new SwitchExtension([("callId", "Identificador de chamada inválido.")], false, 0, 0, null);
        // one hop: the call's route shard asks its circuit (and keeps the route of a call in progress alive)
        if (await Route(callId!).Extend(callId!) is not { } r)
            return new SwitchExtension([], false, 0, 0, RefusalReasons.ChamadaDesconhecida);
        return r.Allowed
            ? new SwitchExtension([], true, r.MaxSeconds, r.TotalSeconds, null)
            : new SwitchExtension([], false, 0, r.TotalSeconds, r.Reason);
    }

    public async Task<SwitchCompletion> CompleteAsync(string? callId, SwitchComplete body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new List<(string, string)>();
        if (body.DurationSeconds is null) errors.Add(("durationSeconds", "Informe a duração atendida em segundos."));
        if (body.Account is not null && !CircuitKeys.IsValidAccount(body.Account)) errors.Add(("account", "Circuito inválido."));
        var request = new CompleteRequest
        {
            CallId = callId!,
            DurationSeconds = body.DurationSeconds ?? 0,
            AnsweredAt = body.AnsweredAt,
            HangupCause = body.HangupCause,
            Destination = body.Destination,
            Direction = body.Direction ?? CallDirection.Outbound,
            StartedAt = body.StartedAt,
            Caller = body.Caller,
        };
        // the circuit checks again, with the configured duration and timestamp limits
        errors.AddRange(CallInput.CompleteProblems(request, now: null, maxDurationSeconds: int.MaxValue));
        if (errors.Count > 0) return new SwitchCompletion { Errors = errors };

        if (body.Account is not { } account)
        {
            // one hop: the route shard completes the call on its circuit and shortens the route; a route its silo
            // lost is found again inside the cluster (the call's credit hold, or its ledger row for a retry)
            if (await Route(callId!).Complete(request) is not { } routed) return new SwitchCompletion { UnknownCall = true };
            return new SwitchCompletion { Account = routed.Account, Result = routed.Result };
        }
        var r = await grains.Circuit(account).Complete(request);
        // an authorized call has a route, which now only has to answer retried completes for a little while;
        // a complete that named its account of a call never authorized has none to shorten
        if (r.Authorized) _ = CompletedAsync(callId!);
        return new SwitchCompletion { Account = account, Result = r };
    }

    /// <summary>
    /// Tells the shard that an authorized call ended through a complete that named its account, without holding up the
    /// switch's answer; a failure only makes the route live until its TTL, so it is logged, not raised.
    /// </summary>
    private async Task CompletedAsync(string callId)
    {
        try
        {
            await Route(callId).Completed(callId);
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Rota da chamada {CallId}: aviso de complete não entregue (a rota expira pelo TTL)", callId);
        }
    }

    /// <summary>
    /// The HA1 a switch checks a circuit's digest with (<see cref="ICircuitGrain.GetSipHa1"/>): null for an unknown
    /// account, a circuit without Senha SIP or one set for another realm, never saying which.
    /// </summary>
    public async Task<SwitchCredentials> CredentialsAsync(string? account, string? realm)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(account)) errors.Add(("account", "Informe o circuito (conta SIP)."));
        if (string.IsNullOrWhiteSpace(realm)) errors.Add(("realm", "Informe o realm do digest."));
        else if (!SipPassword.IsValidRealm(realm)) errors.Add(("realm", "Realm inválido."));
        if (errors.Count > 0) return new SwitchCredentials(errors, null);
        if (!CircuitKeys.IsValidAccount(account)) return new SwitchCredentials([], null);
        return new SwitchCredentials([], await grains.Circuit(account!).GetSipHa1(realm!));
    }

    /// <summary>A REGISTER the switch accepted (or a de-REGISTER: expires 0), kept by the circuit.</summary>
    public async Task<SwitchReport> RegisterAsync(string? account, SipRegistration? registration)
    {
        var errors = new List<(string, string)>();
        if (!CircuitKeys.IsValidAccount(account)) errors.Add(("account", "Circuito inválido (1 a 20 dígitos)."));
        if (registration is null) errors.Add(("ip", "Informe o IP de registro."));
        else
        {
            if (registration.ExpiresSeconds is null) errors.Add(("expires", "Informe a validade do registro em segundos (0 = descadastro)."));
            errors.AddRange(registration.Problems());
        }
        if (errors.Count > 0) return new SwitchReport(errors, null);
        return new SwitchReport([], await grains.Circuit(account!).ReportRegistration(registration!));
    }

    /// <summary>The round trip of a keepalive OPTIONS the circuit answered.</summary>
    public async Task<SwitchReport> KeepaliveAsync(string? account, int? latencyMs)
    {
        var errors = new List<(string, string)>();
        if (!CircuitKeys.IsValidAccount(account)) errors.Add(("account", "Circuito inválido (1 a 20 dígitos)."));
        if (latencyMs is null) errors.Add(("latencyMs", "Informe a latência em ms."));
        else if (latencyMs is < 0 or > SipRegistration.MaxLatencyMs)
            errors.Add(("latencyMs", $"Latência deve estar entre 0 e {SipRegistration.MaxLatencyMs} ms."));
        if (errors.Count > 0) return new SwitchReport(errors, null);
        return new SwitchReport([], await grains.Circuit(account!).ReportKeepalive(latencyMs!.Value));
    }
}

/// <summary>The answer to a credentials question: field errors, or the HA1 (null: no such SIP account).</summary>
public sealed record SwitchCredentials(IReadOnlyList<(string Field, string Message)> Errors, string? Ha1);

/// <summary>The answer to a register/keepalive report: field errors, or the circuit's result.</summary>
public sealed record SwitchReport(IReadOnlyList<(string Field, string Message)> Errors, Common.CommandResult? Result);
