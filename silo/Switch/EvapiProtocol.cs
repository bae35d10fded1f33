using System.Buffers;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Microsoft.Extensions.Logging;

namespace Billing.Silo.Switch;

/// <summary>What the connector does with each frame read: the answer to write back, or null for none.</summary>
public interface IEvapiHandler
{
    Task<byte[]?> HandleAsync(ReadOnlyMemory<byte> frame);
}

/// <summary>
/// The switch protocol's messages (README "Switch protocol (evapi)"): one JSON event in, one JSON answer out, through
/// <see cref="SwitchCalls"/> (the same validation and grain calls as the REST hot path). Bad input is answered with
/// <c>error</c> + <c>field</c>, never by dropping the connection; an event without an <c>id</c> that cannot be read is
/// only logged (there is nobody to answer).
/// </summary>
public sealed class EvapiProtocol(SwitchCalls calls, ILogger<EvapiProtocol> log, SipTraceRelay? traces = null) : IEvapiHandler
{
    /// <summary>SIP code of an answer: 200 allowed, then the refusal's (README table); unknown refusals 403.</summary>
    public static int SipCode(string? reason) => reason switch
    {
        null => 200,
        RefusalReasons.SaldoInsuficiente => 402,
        RefusalReasons.DestinoInvalido => 484,
        RefusalReasons.ChamadorBloqueado or RefusalReasons.ACobrarRecusada => 603,
        _ => 403,
    };

    private const int BadRequest = 400;
    private const int ServerError = 500;

    /// <summary>Correlation fields echoed in every answer (raw JSON values: Kamailio may send numbers or strings).</summary>
    private sealed record Correlation(string? Event, JsonElement? Id, JsonElement? TIndex, JsonElement? TLabel, string? CallId);

    private sealed class BadField(string field, string message) : Exception(message)
    {
        public string Field { get; } = field;
    }

    /// <summary>The answer to one frame, or null when nothing can be answered (unreadable and no id).</summary>
    public async Task<byte[]?> HandleAsync(ReadOnlyMemory<byte> frame)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame);
        }
        catch (JsonException e)
        {
            var salvaged = Salvage(frame.Span);
            log.LogWarning("evapi: evento com JSON malformado (id {Id}): {Error}", salvaged.Id?.GetRawText(), e.Message);
            return salvaged.Id is null ? null : Error(salvaged, "frame", "JSON malformado.", BadRequest);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                log.LogWarning("evapi: evento que não é um objeto JSON");
                return null;
            }
            // SIP trace: a message of a traced circuit, queued for its trace grain; never answered
            if (root.TryGetProperty("event", out var kind) && kind.ValueKind == JsonValueKind.String && kind.ValueEquals("sip"))
            {
                Trace(root);
                return null;
            }
            Correlation c = new(null, Opt(root, "id"), Opt(root, "tindex"), Opt(root, "tlabel"), null);
            try
            {
                // one at a time: a broken callId still gets an answer that names its event (and sipCode for authorize)
                c = c with { Event = Str(root, "event") };
                c = c with { CallId = Str(root, "callId") };
                return c.Event switch
                {
                    "authorize" => await AuthorizeAsync(root, c),
                    "extend" => await ExtendAsync(c),
                    "complete" => await CompleteAsync(root, c),
                    "credentials" => await CredentialsAsync(root, c),
                    "register" => await RegisterAsync(root, c),
                    "keepalive" => await KeepaliveAsync(root, c),
                    _ => Error(c, "event", "Evento desconhecido: use authorize, extend, complete, credentials, register ou keepalive.", BadRequest),
                };
            }
            catch (BadField e)
            {
                return Error(c, e.Field, e.Message, BadRequest);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "evapi: falha ao processar {Event} da chamada {CallId}", c.Event, c.CallId);
                return Error(c, null, "Falha interna ao processar o evento; envie-o de novo (o reenvio não cobra em dobro).", ServerError);
            }
        }
    }

    private async Task<byte[]> AuthorizeAsync(JsonElement e, Correlation c)
    {
        var direction = Str(e, "direction") switch
        {
            null or "outbound" => CallDirection.Outbound,
            "inbound" => CallDirection.Inbound,
            _ => throw new BadField("direction", "Use 'outbound' ou 'inbound'."),
        };
        var a = await calls.AuthorizeAsync(new SwitchAuthorize(c.CallId, Str(e, "account"), Str(e, "destination"), direction,
            Str(e, "caller"), Str(e, "did"), Bool(e, "collect"), Str(e, "callType")));
        if (a.Errors.Count > 0) return Error(c, a.Errors[0].Field, a.Errors[0].Message, BadRequest);
        if (a.ConflictAccount is not null)
            return Answer(c, w =>
            {
                w.WriteBoolean("allowed", false);
                w.WriteString("reason", RefusalReasons.ChamadaEmUso);
                w.WriteString("error", "O identificador de chamada já está em uso por outra chamada; use um identificador por chamada.");
                w.WriteString("field", "callId");
                w.WriteNumber("sipCode", 403);
            });
        return Answer(c, w =>
        {
            w.WriteBoolean("allowed", a.Allowed);
            w.WriteNumber("maxSeconds", a.Allowed ? a.MaxSeconds : 0);
            if (a.CallType is { } type) w.WriteString("callType", type);
            if (a.PricePerMinute is { } price) w.WriteNumber("pricePerMinute", price);
            if (a.Reason is { } reason) w.WriteString("reason", reason);
            if (a.Account is { } account) w.WriteString("account", account);
            if (a.Did is { } did) w.WriteString("did", did);
            if (a.ForwardTo is { } forwardTo) w.WriteString("forwardTo", forwardTo);
            w.WriteNumber("sipCode", a.Allowed ? 200 : SipCode(a.Reason));
        });
    }

    private async Task<byte[]> ExtendAsync(Correlation c)
    {
        var r = await calls.ExtendAsync(c.CallId);
        if (r.Errors.Count > 0) return Error(c, r.Errors[0].Field, r.Errors[0].Message, BadRequest);
        return Answer(c, w =>
        {
            w.WriteBoolean("allowed", r.Allowed);
            w.WriteNumber("maxSeconds", r.MaxSeconds);
            w.WriteNumber("totalSeconds", r.TotalSeconds);
            if (r.Reason is { } reason) w.WriteString("reason", reason);
        });
    }

    private async Task<byte[]> CompleteAsync(JsonElement e, Correlation c)
    {
        var direction = Str(e, "direction") switch
        {
            null => (CallDirection?)null,
            "outbound" => CallDirection.Outbound,
            "inbound" => CallDirection.Inbound,
            _ => throw new BadField("direction", "Use 'outbound' ou 'inbound'."),
        };
        var r = await calls.CompleteAsync(c.CallId, new SwitchComplete(Int(e, "durationSeconds"), Moment(e, "answeredAt"),
            Str(e, "hangupCause"), Str(e, "account"), Str(e, "destination"), direction, Moment(e, "startedAt"), Str(e, "caller")));
        if (r.Errors.Count > 0) return Error(c, r.Errors[0].Field, r.Errors[0].Message, BadRequest);
        if (r.UnknownCall || r.Result is not { } done)
            return Error(c, "callId", $"Chamada {c.CallId} desconhecida: envie 'account' e 'destination' no complete de chamadas não autorizadas.", 404);
        return done.Status switch
        {
            CompleteStatus.Rated or CompleteStatus.Duplicate => Answer(c, w =>
            {
                w.WriteBoolean("billed", true);
                w.WriteBoolean("duplicate", done.Status == CompleteStatus.Duplicate);
                if (done.CallType is { } type) w.WriteString("callType", type);
                w.WriteNumber("billedSeconds", done.BilledSeconds);
                w.WriteNumber("cost", done.Cost);
                w.WriteNumber("balance", done.Balance);
            }),
            CompleteStatus.UnknownCircuit => Error(c, "account", $"Circuito {r.Account} não encontrado.", 404),
            CompleteStatus.UnknownCall => Error(c, "callId", done.Reason ?? $"Chamada {c.CallId} desconhecida.", 404),
            CompleteStatus.Conflict => Error(c, "callId", done.Reason ?? $"O identificador de chamada {c.CallId} pertence a outro circuito.", 409),
            _ => Error(c, done.Field ?? "body", done.Reason ?? "Chamada inválida.", BadRequest),
        };
    }

    /// <summary>
    /// <c>credentials</c>: the HA1 of <c>account</c> for <c>realm</c>, answered <c>{"account", "ha1"}</c> with
    /// <c>ha1</c> null for no such SIP account (Kamailio then refuses, the same as a wrong password).
    /// </summary>
    private async Task<byte[]> CredentialsAsync(JsonElement e, Correlation c)
    {
        var account = Str(e, "account");
        var r = await calls.CredentialsAsync(account, Str(e, "realm"));
        if (r.Errors.Count > 0) return Error(c, r.Errors[0].Field, r.Errors[0].Message, BadRequest);
        return Answer(c, w =>
        {
            w.WriteString("account", account);
            if (r.Ha1 is { } ha1) w.WriteString("ha1", ha1);
            else w.WriteNull("ha1");
        });
    }

    /// <summary><c>register</c>: a REGISTER Kamailio accepted (account, ip, port, transport, userAgent, expires).</summary>
    private async Task<byte[]> RegisterAsync(JsonElement e, Correlation c)
    {
        var ip = Str(e, "ip");
        var registration = ip is null ? null
            : new SipRegistration(ip, Int(e, "port"), Str(e, "transport")?.ToLowerInvariant(), Str(e, "userAgent"), Int(e, "expires"));
        return Reported(c, await calls.RegisterAsync(Str(e, "account"), registration));
    }

    /// <summary><c>keepalive</c>: the round trip (latencyMs) of an OPTIONS the circuit answered.</summary>
    private async Task<byte[]> KeepaliveAsync(JsonElement e, Correlation c) =>
        Reported(c, await calls.KeepaliveAsync(Str(e, "account"), Int(e, "latencyMs")));

    private static byte[] Reported(Correlation c, SwitchReport r)
    {
        if (r.Errors.Count > 0) return Error(c, r.Errors[0].Field, r.Errors[0].Message, BadRequest);
        var result = r.Result!;
        return result.Status switch
        {
            Billing.GrainInterfaces.Common.CommandStatus.Ok => Answer(c, w => w.WriteBoolean("ok", true)),
            Billing.GrainInterfaces.Common.CommandStatus.NotFound => Error(c, "account", result.Message ?? "Circuito não encontrado.", 404),
            _ => Error(c, result.Errors?.Keys.FirstOrDefault() ?? "body", result.Errors?.Values.FirstOrDefault()?.FirstOrDefault()
                ?? result.Message ?? "Evento inválido.", BadRequest),
        };
    }

    /// <summary>
    /// <c>{"event":"sip","account","at","direction","src","dst","message"}</c> → the relay's queue. Bad input is logged
    /// and dropped (nobody waits for an answer): an account that is not a circuit number, a direction other than
    /// in/out, a missing message.
    /// </summary>
    private void Trace(JsonElement e)
    {
        if (traces is null) return;
        try
        {
            var account = Str(e, "account");
            if (!CircuitKeys.IsValidAccount(account)) throw new BadField("account", "Circuito inválido.");
            var direction = Str(e, "direction");
            if (direction is not ("in" or "out")) throw new BadField("direction", "Use 'in' ou 'out'.");
            var message = Str(e, "message");
            if (string.IsNullOrEmpty(message)) throw new BadField("message", "Mensagem vazia.");
            traces.Accept(account!, new SipTraceMessage(TraceTime(e), direction, Str(e, "src") ?? "", Str(e, "dst") ?? "", message));
        }
        catch (BadField b)
        {
            log.LogWarning("evapi: evento sip descartado ({Field}: {Error})", b.Field, b.Message);
        }
    }

    /// <summary>Kamailio's <c>$TV(Sn)</c>: Unix seconds with microseconds, as text (<c>"1733050000.123456"</c>) or a number.</summary>
    private static DateTimeOffset TraceTime(JsonElement e)
    {
        decimal seconds;
        if (!e.TryGetProperty("at", out var v)) throw new BadField("at", "Informe o instante (segundos Unix).");
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var n)) seconds = n;
        else if (v.ValueKind == JsonValueKind.String && decimal.TryParse(Str(e, "at"), System.Globalization.NumberStyles.AllowDecimalPoint,
                     System.Globalization.CultureInfo.InvariantCulture, out var s)) seconds = s;
        else throw new BadField("at", "Instante inválido (segundos Unix).");
        if (seconds is <= 0 or >= 253402300800m) throw new BadField("at", "Instante fora do intervalo.");
        var whole = decimal.Truncate(seconds);
        return DateTimeOffset.FromUnixTimeSeconds((long)whole).AddTicks((long)((seconds - whole) * TimeSpan.TicksPerSecond));
    }

    // ------------------------------------------------------------------ JSON

    private static JsonElement? Opt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? v.Clone() : null;

    private static string? Str(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new BadField(name, "Deve ser um texto.");
        try
        {
            return v.GetString();
        }
        catch (InvalidOperationException)
        {
            // an escaped lone surrogate ("\ud800"): valid JSON, but no text
            throw new BadField(name, "Texto com caracteres inválidos.");
        }
    }

    private static bool? Bool(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new BadField(name, "Use true ou false."),
        };

    /// <summary>An integer; Kamailio's pseudo-variables often arrive as strings ("30"), which are understood too.</summary>
    private static int? Int(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String && int.TryParse(Str(e, name), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var s)) return s;
        throw new BadField(name, "Deve ser um número inteiro.");
    }

    /// <summary>ISO 8601, or Unix seconds (what Kamailio's <c>$TS</c>/dialog start time give).</summary>
    private static DateTimeOffset? Moment(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var unix) && unix is > 0 and < 253402300800L)
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        if (v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(Str(e, name), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var at)) return at;
        throw new BadField(name, "Data/hora inválida (ISO 8601 ou segundos Unix).");
    }

    /// <summary>The top-level id/tindex/tlabel read before a JSON error, so a broken event can still be answered.</summary>
    private static Correlation Salvage(ReadOnlySpan<byte> frame)
    {
        JsonElement? id = null, tindex = null, tlabel = null;
        string? ev = null, callId = null;
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { AllowTrailingCommas = false });
        try
        {
            string? property = null;
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1) continue;
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                    continue;
                }
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number) || property is null) continue;
                var value = JsonElement.ParseValue(ref reader);
                switch (property)
                {
                    case "id": id = value; break;
                    case "tindex": tindex = value; break;
                    case "tlabel": tlabel = value; break;
                    case "event" when value.ValueKind == JsonValueKind.String: ev = value.GetString(); break;
                    case "callId" when value.ValueKind == JsonValueKind.String: callId = value.GetString(); break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // the rest is unreadable: answer with what was read
        }
        return new Correlation(ev, id, tindex, tlabel, callId);
    }

    private static byte[] Error(Correlation c, string? field, string message, int status) => Answer(c, w =>
    {
        if (c.Event == "authorize") w.WriteBoolean("allowed", false);
        w.WriteString("error", message);
        if (field is not null) w.WriteString("field", field);
        w.WriteNumber("status", status);
        // a suspended INVITE still needs an answer: 500 for our failure, 400 for the switch's
        if (c.Event == "authorize") w.WriteNumber("sipCode", status >= 500 ? 500 : 400);
    });

    private static byte[] Answer(Correlation c, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (c.Event is { } ev) w.WriteString("event", ev);
            if (c.Id is { } id) { w.WritePropertyName("id"); id.WriteTo(w); }
            if (c.TIndex is { } ti) { w.WritePropertyName("tindex"); ti.WriteTo(w); }
            if (c.TLabel is { } tl) { w.WritePropertyName("tlabel"); tl.WriteTo(w); }
            if (c.CallId is { } callId) w.WriteString("callId", callId);
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
