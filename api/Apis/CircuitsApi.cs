using Billing.GrainInterfaces.Common;
using Billing.Api.Application;
using Billing.Api.Web;
using System.Collections.Immutable;
using System.Globalization;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Npgsql;

namespace Billing.Api.Apis;

public sealed record CircuitRequest(
    string? Account, string? Name, long? CustomerId, string? PlanId, string? AreaCode, string? Central,
    BillingMode? BillingMode, decimal? CreditLimit, CircuitStatus? Status, WebFlags? Flags, InvoiceConfigRequest? Invoice,
    string? WebPassword, string? SipPassword = null, string? TimeZone = null, IReadOnlyList<decimal>? LowBalanceThresholds = null)
{
    /// <summary>The grain's data from this request: on an update, what the request leaves out keeps <paramref name="current"/>'s value.</summary>
    public CircuitData ToData(CircuitData? current = null)
    {
        var inv = current?.Invoice ?? new InvoiceConfig();
        if (Invoice is { } i)
        {
            inv = new InvoiceConfig
            {
                ClosingDay = i.ClosingDay ?? inv.ClosingDay,
                DueDays = i.DueDays ?? inv.DueDays,
                MonthlyFee = i.MonthlyFee ?? inv.MonthlyFee,
                CustomFields = i.CustomFields is null ? inv.CustomFields : [.. i.CustomFields],
            };
        }
        return new CircuitData
        {
            Name = Name?.Trim() ?? current?.Name ?? "",
            CustomerId = CustomerId ?? current?.CustomerId ?? 0,
            PlanId = PlanId is null ? current?.PlanId : (PlanId.Trim().Length == 0 ? null : PlanId.Trim()),
            AreaCode = AreaCode?.Trim() ?? current?.AreaCode ?? "",
            Central = Central is null ? current?.Central : (Central.Trim().Length == 0 ? null : Central.Trim()),
            BillingMode = BillingMode ?? current?.BillingMode ?? Billing.GrainInterfaces.Circuits.BillingMode.Prepaid,
            CreditLimit = CreditLimit ?? current?.CreditLimit ?? 0m,
            Status = Status ?? current?.Status ?? CircuitStatus.Ativo,
            Flags = Flags ?? current?.Flags ?? new WebFlags(),
            Invoice = inv,
            TimeZone = TimeZone?.Trim() ?? current?.TimeZone ?? CircuitData.DefaultTimeZone,
            // absent keeps the circuit's own (none: the default of Billing:LowBalance); [] turns its alerts off
            LowBalanceThresholds = LowBalanceThresholds is { } low ? ImmutableArray.CreateRange(low) : current?.LowBalanceThresholds,
        };
    }
}

public sealed record InvoiceConfigRequest(int? ClosingDay, int? DueDays, decimal? MonthlyFee, IReadOnlyList<InvoiceCustomField>? CustomFields);

public sealed record CircuitResponse(
    string Account, string Name, long CustomerId, string? PlanId, string AreaCode, string? Central, BillingMode BillingMode,
    decimal CreditLimit, CircuitStatus Status, WebFlags Flags, InvoiceConfigRequest Invoice, decimal Balance,
    bool HasWebPassword, string? Ip, int? LatencyMs, DateTimeOffset? RegisteredAt, string Registration, int ActiveCalls,
    DateTimeOffset CreatedAt, bool HasSipPassword, int? Port, string? Transport, string? UserAgent, DateTimeOffset? ExpiresAt,
    string TimeZone, IReadOnlyList<decimal>? LowBalanceThresholds = null)
{
    public static CircuitResponse From(CircuitView v) => new(
        v.Account, v.Data.Name, v.Data.CustomerId, v.Data.PlanId, v.Data.AreaCode, v.Data.Central, v.Data.BillingMode,
        v.Data.CreditLimit, v.Data.Status, v.Data.Flags,
        new InvoiceConfigRequest(v.Data.Invoice.ClosingDay, v.Data.Invoice.DueDays, v.Data.Invoice.MonthlyFee,
            v.Data.Invoice.CustomFields.IsDefault ? [] : v.Data.Invoice.CustomFields),
        v.Balance, v.HasWebPassword, v.Ip, v.LatencyMs, v.RegisteredAt, v.RegistrationStatus, v.ActiveCalls, v.CreatedAt,
        v.HasSipPassword, v.Port, v.Transport, v.UserAgent, v.ExpiresAt, v.Data.TimeZone ?? CircuitData.DefaultTimeZone,
        v.Data.LowBalanceThresholds is { IsDefault: false } low ? (IReadOnlyList<decimal>)low : null);
}

public sealed record CircuitListItem(
    string Account, string Name, long CustomerId, string? PlanId, string? Central, decimal Balance, string? Ip,
    CircuitStatus Status, string Registration, BillingMode BillingMode);

public sealed record BatchRequest(IReadOnlyList<string>? Accounts, BatchRange? Range, CircuitRequest? Settings);

public sealed record BatchRange(long? From, long? To);

public sealed record BatchResponse(int Created, IReadOnlyList<string> Accounts);

public sealed record MoveRequest(long? CustomerId);

public sealed record RegistrationRequest(string? Ip, int? LatencyMs, int? Port = null, string? Transport = null, string? UserAgent = null,
    int? Expires = null);

public sealed record SipPasswordRequest(string? SipPassword);

public sealed record PasswordRequest(string? Password);

public sealed record CreditBody(decimal? Amount, string? Description, string? IdempotencyKey);

public sealed record CreditResponse(string Account, decimal Amount, decimal Balance, bool Duplicate, string IdempotencyKey);

public sealed record CallHistoryItem(
    string CallId, string? Direction, string? Destination, string? Normalized, string? CallType, DateTimeOffset? StartedAt,
    int? DurationSeconds, int? BilledSeconds, decimal Cost, decimal? PricePerMinute, string? HangupCause, string? Caller);

/// <summary>Circuits (SIP accounts): CRUD, "Novo Lote", move, registration, Senha Web, Senha SIP, balance, credits, call history.</summary>
public static class CircuitsApi
{
    public static IEndpointRouteBuilder MapCircuitsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/circuits").WithTags("Circuitos").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", Create);
        admin.MapGet("/", List);
        admin.MapPost("/batch", Batch);
        admin.MapGet("/{account}", Get);
        admin.MapPut("/{account}", Update);
        admin.MapDelete("/{account}", Delete);
        admin.MapPost("/{account}/move", Move);
        admin.MapPut("/{account}/web-password", SetPassword);
        admin.MapPut("/{account}/sip-password", SetSipPassword);
        admin.MapPost("/{account}/credits", Credit);
        admin.MapGet("/{account}/calls", Calls);

        app.MapPut("/api/circuits/{account}/registration", Registration).WithTags("Circuitos").RequireAuthorization(Policies.Switch);
        app.MapGet("/api/circuits/{account}/balance", Balance).WithTags("Circuitos").RequireAuthorization(Policies.AdminOrSwitch);
        return app;
    }

    private static async Task<IResult> Create(CircuitRequest body, CircuitService circuits, HttpContext http) =>
        (await circuits.Create(body, CommandResults.Actor(http))).ToHttp(c => TypedResults.Created($"/api/circuits/{c.Account}", c));

    private static async Task<IResult> Get(string account, CircuitService circuits) =>
        (await circuits.Find(account)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> Update(string account, CircuitRequest body, CircuitService circuits, HttpContext http) =>
        (await circuits.Update(account, body, CommandResults.Actor(http))).ToHttp(TypedResults.Ok);

    private static async Task<IResult> Delete(string account, CircuitService circuits, HttpContext http) =>
        (await circuits.Delete(account, CommandResults.Actor(http))).ToNoContent();

    private static async Task<IResult> Move(string account, MoveRequest body, CircuitService circuits, HttpContext http) =>
        (await circuits.Move(account, body.CustomerId, CommandResults.Actor(http))).ToHttp(TypedResults.Ok);

    internal static async Task<IResult> SetPassword(string account, PasswordRequest body, IClusterClient cluster, HttpContext http)
    {
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var result = await cluster.Circuit(account).SetWebPassword(body.Password ?? "", CommandResults.Actor(http));
        http.RequestServices.GetRequiredService<WebSessions>().ForgetPortal(account);
        return result.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(result);
    }

    /// <summary>Senha SIP (write-only): kept by the circuit as the digest HA1 of its realm.</summary>
    internal static async Task<IResult> SetSipPassword(string account, SipPasswordRequest body, IClusterClient cluster, HttpContext http)
    {
        if (SipPassword.Problem(body.SipPassword) is { } problem) return Problems.Field("sipPassword", problem);
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var result = await cluster.Circuit(account).SetSipPassword(body.SipPassword!, CommandResults.Actor(http));
        return result.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(result);
    }

    private static async Task<IResult> Registration(string account, RegistrationRequest body, IClusterClient cluster)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(body.Ip)) errors.Add("ip", "Informe o IP de registro.");
        if (body.LatencyMs is null) errors.Add("latencyMs", "Informe a latência em ms.");
        if (errors.Any) return errors.ToProblem();
        var registration = new SipRegistration(body.Ip!.Trim(), body.Port, body.Transport, body.UserAgent, body.Expires, body.LatencyMs);
        foreach (var (field, message) in registration.Problems()) errors.Add(field, message);
        if (errors.Any) return errors.ToProblem();
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var result = await cluster.Circuit(account).ReportRegistration(registration);
        return result.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(result);
    }

    private static async Task<IResult> Balance(string account, IClusterClient cluster)
    {
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var b = await cluster.Circuit(account).GetBalance();
        return b is null ? Problems.NotFound($"Circuito {account} não encontrado.") : TypedResults.Ok(b);
    }

    private static async Task<IResult> Credit(string account, CreditBody body, CircuitService circuits, HttpContext http)
    {
        var r = await circuits.Credit(account, body.Amount, body.Description, body.IdempotencyKey, CommandResults.Actor(http));
        return r.ToHttp(c =>
        {
            var response = new CreditResponse(account, c.Amount, c.Balance, c.Duplicate, body.IdempotencyKey!.Trim());
            return c.Duplicate ? (IResult)TypedResults.Ok(response) : TypedResults.Created($"/api/circuits/{account}/calls", response);
        });
    }

    internal static async Task<IResult> List(CircuitQueries circuits, CancellationToken ct,
        string? search = null, long? customerId = null, string? status = null, int? page = null, int? pageSize = null, bool? lowBalance = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (status is not null && status is not ("ativo" or "bloqueado")) errors.Add("status", "Use 'ativo' ou 'bloqueado'.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await circuits.List(search, customerId, status, p, size, ct, lowBalance == true));
    }

    private static async Task<IResult> Batch(BatchRequest body, CircuitService circuits, HttpContext http, CancellationToken ct) =>
        (await circuits.Batch(body, CommandResults.Actor(http), ct)).ToHttp(b => TypedResults.Created("/api/circuits", b));

    private static async Task<IResult> Calls(string account, NpgsqlDataSource db, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, string? direction = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (direction is not null && direction is not ("outbound" or "inbound")) errors.Add("direction", "Use 'outbound' ou 'inbound'.");
        if (from is not null && to is not null && to < from) errors.Add("to", "'to' deve ser depois de 'from'.");
        if (errors.Any) return errors.ToProblem();
        var calls = await new CircuitCallQueries(db).Calls(account, new CallFilter(from, to, direction), p, size, ct);
        return TypedResults.Ok(calls);
    }
}
