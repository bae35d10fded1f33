using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using CsvHelper;

namespace Billing.Api.Apis;

/// <summary>
/// Body of POST /api/calls/authorize. Inbound calls (<c>direction: "inbound"</c>) name the <c>did</c> dialled;
/// the DID decides the circuit (<c>account</c> may be omitted). <c>collect: true</c> or <c>callType: "a_cobrar"</c>
/// flags a collect call (it is also recognised from a 90+CSP… caller).
/// </summary>
public sealed record AuthorizeBody(
    string? CallId, string? Account, string? Destination, CallDirection? Direction, string? Caller, string? Did,
    bool? Collect = null, string? CallType = null);

public sealed record CompleteBody(
    int? DurationSeconds, DateTimeOffset? AnsweredAt, string? HangupCause,
    string? Account, string? Destination, CallDirection? Direction, DateTimeOffset? StartedAt, string? Caller);

public sealed record CompleteResponse(string CallId, string? CallType, int BilledSeconds, decimal Cost, decimal Balance);

/// <summary>The softswitch's hot path: authorize, extend, complete (batch CDR import is <see cref="CdrImportApi"/>).</summary>
public static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        var sw = app.MapGroup("/api").WithTags("Chamadas").RequireAuthorization(Policies.Switch);
        sw.MapPost("/calls/authorize", Authorize);
        sw.MapPost("/calls/{callId}/extend", Extend);
        sw.MapPost("/calls/{callId}/complete", Complete);
        return app;
    }

    private static bool ValidCallId(string? id) => CallInput.ValidCallId(id);

    private static IResult FieldProblems(IReadOnlyList<(string Field, string Message)> problems)
    {
        var errors = new FieldErrors();
        foreach (var (field, message) in problems) errors.Add(field, message);
        return errors.ToProblem();
    }

    // The hot path itself (validation, grain calls) is SwitchCalls', shared with the silo's evapi connector;
    // these handlers only translate its answers to HTTP and count them.
    private static async Task<IResult> Authorize(AuthorizeBody body, SwitchCalls calls, CallMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var a = await calls.AuthorizeAsync(new SwitchAuthorize(body.CallId, body.Account, body.Destination, body.Direction,
            body.Caller, body.Did, body.Collect, body.CallType));
        if (a.Errors.Count > 0) return FieldProblems(a.Errors);
        if (a.ConflictAccount is { } other) return CallIdInUse(body.CallId!, other);
        if (a.Inbound)
        {
            if (!a.Allowed) return TypedResults.Ok<object>(new { allowed = false, reason = a.Reason });
            return a.ForwardTo is { } forwardTo
                ? TypedResults.Ok<object>(new
                {
                    allowed = true, account = a.Account, did = a.Did, maxSeconds = a.MaxSeconds, callType = a.CallType,
                    pricePerMinute = a.PricePerMinute, forwardTo,
                })
                : TypedResults.Ok<object>(new
                {
                    allowed = true, account = a.Account, did = a.Did, maxSeconds = a.MaxSeconds, callType = a.CallType,
                    pricePerMinute = a.PricePerMinute,
                });
        }
        if (a.Allowed) metrics.Authorized(a.CallType);
        else metrics.Refused(a.Reason);
        metrics.AuthorizeTook(started);
        return a.Allowed
            ? TypedResults.Ok<object>(new { allowed = true, maxSeconds = a.MaxSeconds, callType = a.CallType, pricePerMinute = a.PricePerMinute })
            : TypedResults.Ok<object>(new { allowed = false, reason = a.Reason });
    }

    private static IResult CallIdInUse(string callId, string account) =>
        Problems.Conflict($"O identificador de chamada {callId} já está em uso por uma chamada do circuito {account}; use um identificador por chamada.");

    private static async Task<IResult> Extend(string callId, SwitchCalls calls)
    {
        var r = await calls.ExtendAsync(callId);
        if (r.Errors.Count > 0) return FieldProblems(r.Errors);
        return r.Allowed
            ? TypedResults.Ok<object>(new { allowed = true, maxSeconds = r.MaxSeconds, totalSeconds = r.TotalSeconds })
            : TypedResults.Ok<object>(new { allowed = false, maxSeconds = 0, reason = r.Reason });
    }

    private static async Task<IResult> Complete(string callId, CompleteBody body, SwitchCalls calls, CallMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var c = await calls.CompleteAsync(callId, new SwitchComplete(body.DurationSeconds, body.AnsweredAt, body.HangupCause,
            body.Account, body.Destination, body.Direction, body.StartedAt, body.Caller));
        if (c.Errors.Count > 0) return FieldProblems(c.Errors);
        if (c.UnknownCall || c.Result is not { } r)
            return Problems.NotFound($"Chamada {callId} desconhecida: envie 'account' e 'destination' no complete de chamadas não autorizadas.");
        metrics.Completed(r.Status);
        metrics.CompleteTook(started);
        return r.Status switch
        {
            CompleteStatus.Rated or CompleteStatus.Duplicate =>
                TypedResults.Ok(new CompleteResponse(r.CallId, r.CallType, r.BilledSeconds, r.Cost, r.Balance)),
            CompleteStatus.UnknownCircuit => Problems.NotFound($"Circuito {c.Account} não encontrado."),
            CompleteStatus.UnknownCall => Problems.NotFound(r.Reason ?? $"Chamada {callId} desconhecida."),
            CompleteStatus.Conflict => Problems.Conflict(r.Reason ?? $"O identificador de chamada {callId} pertence a outro circuito."),
            _ => Problems.Field(r.Field ?? "body", r.Reason ?? "Chamada inválida."),
        };
    }
}
