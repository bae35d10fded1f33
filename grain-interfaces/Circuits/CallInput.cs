using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// What a switch may send on the hot path (authorize, extend, complete, CDR rows), checked the same way by every
/// edge (REST handlers, CDR import) and again by the circuit grain, so nothing the database would refuse reaches
/// the ledger's group commit. Each check answers (camelCase field, pt-BR message) or nothing.
/// </summary>
public static class CallInput
{
    public const int MaxCallId = 128;
    public const int MaxNumber = 64;
    public const int MaxDid = 32;
    public const int MaxHangupCause = 64;

    /// <summary>Default window of call timestamps (answeredAt/startedAt/start) around now, in days.</summary>
    public const int DefaultPastDays = 400;
    public const int DefaultFutureDays = 1;

    public static bool ValidCallId(string? id) => id is { Length: > 0 and <= MaxCallId } && !InputRules.HasForbiddenCharacters(id);

    public static string? CallIdProblem(string? id) =>
        ValidCallId(id) ? null : $"Informe o identificador da chamada (1 a {MaxCallId} caracteres, sem caracteres de controle).";

    /// <summary>A dialled number, caller or DID: optional here (say "required" at the call site), bounded, printable.</summary>
    public static string? NumberProblem(string? value, int maxLength = MaxNumber) => InputRules.Text(value, maxLength) switch
    {
        null => null,
        _ when value!.Length > maxLength => $"Número longo demais (máximo {maxLength} caracteres).",
        _ => "Número com caracteres de controle ou inválidos.",
    };

    /// <summary>The problems of an authorize's own fields (the edge adds what it requires, e.g. account).</summary>
    public static IEnumerable<(string Field, string Message)> AuthorizeProblems(AuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (CallIdProblem(request.CallId) is { } id) yield return ("callId", id);
        if (string.IsNullOrWhiteSpace(request.Destination)) yield return ("destination", "Informe o número de destino.");
        else if (NumberProblem(request.Destination) is { } d) yield return ("destination", d);
        if (NumberProblem(request.Caller) is { } c) yield return ("caller", c);
    }

    /// <summary>
    /// The problems of a complete (CDR): call id, texts, duration within [0, <paramref name="maxDurationSeconds"/>] and,
    /// when <paramref name="now"/> is given, timestamps within [now − pastDays, now + futureDays]. The circuit grain
    /// checks with the configured limits; an edge that does not know them passes no clock and int.MaxValue.
    /// </summary>
    public static IEnumerable<(string Field, string Message)> CompleteProblems(CompleteRequest request, DateTimeOffset? now,
        int maxDurationSeconds, int pastDays = DefaultPastDays, int futureDays = DefaultFutureDays)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (CallIdProblem(request.CallId) is { } id) yield return ("callId", id);
        if (request.DurationSeconds < 0 || request.DurationSeconds > maxDurationSeconds)
            yield return ("durationSeconds", $"A duração deve estar entre 0 e {maxDurationSeconds} segundos.");
        if (NumberProblem(request.Destination) is { } d) yield return ("destination", d);
        if (NumberProblem(request.Caller) is { } c) yield return ("caller", c);
        if (InputRules.Text(request.HangupCause, MaxHangupCause) is { } h) yield return ("hangupCause", h);
        if (now is not { } at) yield break;
        if (request.AnsweredAt is { } a && InputRules.Moment(a, at, pastDays, futureDays) is { } am) yield return ("answeredAt", am);
        if (request.StartedAt is { } s && InputRules.Moment(s, at, pastDays, futureDays) is { } sm) yield return ("startedAt", sm);
    }
}
