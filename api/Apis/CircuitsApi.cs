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
    string? WebPassword, string? SipPassword = null, string? TimeZone = null, IReadOnlyList<decimal>? LowBalanceThresholds = null);

public sealed record InvoiceConfigRequest(int? ClosingDay, int? DueDays, decimal? MonthlyFee, IReadOnlyList<InvoiceCustomField>? CustomFields);

public sealed record CircuitResponse(
    string Account, string Name, long CustomerId, string? PlanId, string AreaCode, string? Central, BillingMode BillingMode,
    decimal CreditLimit, CircuitStatus Status, WebFlags Flags, InvoiceConfigRequest Invoice, decimal Balance,
    bool HasWebPassword, string? Ip, int? LatencyMs, DateTimeOffset? RegisteredAt, string Registration, int ActiveCalls,
    DateTimeOffset CreatedAt, bool HasSipPassword, int? Port, string? Transport, string? UserAgent, DateTimeOffset? ExpiresAt,
    string TimeZone, IReadOnlyList<decimal>? LowBalanceThresholds = null);

public sealed record CircuitListItem(
    string Account, string Name, long CustomerId, string? PlanId, string? Central, decimal Balance, string? Ip,
    CircuitStatus Status, string Registration, BillingMode BillingMode);

public sealed record BatchRequest(IReadOnlyList<string>? Accounts, BatchRange? Range, CircuitRequest? Settings);

public sealed record BatchRange(long? From, long? To);

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
    public const int MaxBatch = 1000;

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

    private static CircuitData ToData(CircuitRequest r, CircuitData? current = null)
    {
        var inv = current?.Invoice ?? new InvoiceConfig();
        if (r.Invoice is { } i)
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
            Name = r.Name?.Trim() ?? current?.Name ?? "",
            CustomerId = r.CustomerId ?? current?.CustomerId ?? 0,
            PlanId = r.PlanId is null ? current?.PlanId : (r.PlanId.Trim().Length == 0 ? null : r.PlanId.Trim()),
            AreaCode = r.AreaCode?.Trim() ?? current?.AreaCode ?? "",
            Central = r.Central is null ? current?.Central : (r.Central.Trim().Length == 0 ? null : r.Central.Trim()),
            BillingMode = r.BillingMode ?? current?.BillingMode ?? BillingMode.Prepaid,
            CreditLimit = r.CreditLimit ?? current?.CreditLimit ?? 0m,
            Status = r.Status ?? current?.Status ?? CircuitStatus.Ativo,
            Flags = r.Flags ?? current?.Flags ?? new WebFlags(),
            Invoice = inv,
            TimeZone = r.TimeZone?.Trim() ?? current?.TimeZone ?? CircuitData.DefaultTimeZone,
            // absent keeps the circuit's own (none: the default of Billing:LowBalance); [] turns its alerts off
            LowBalanceThresholds = r.LowBalanceThresholds is { } low ? ImmutableArray.CreateRange(low) : current?.LowBalanceThresholds,
        };
    }

    private static CircuitResponse ToResponse(CircuitView v) => new(
        v.Account, v.Data.Name, v.Data.CustomerId, v.Data.PlanId, v.Data.AreaCode, v.Data.Central, v.Data.BillingMode,
        v.Data.CreditLimit, v.Data.Status, v.Data.Flags,
        new InvoiceConfigRequest(v.Data.Invoice.ClosingDay, v.Data.Invoice.DueDays, v.Data.Invoice.MonthlyFee,
            v.Data.Invoice.CustomFields.IsDefault ? [] : v.Data.Invoice.CustomFields),
        v.Balance, v.HasWebPassword, v.Ip, v.LatencyMs, v.RegisteredAt, v.RegistrationStatus, v.ActiveCalls, v.CreatedAt,
        v.HasSipPassword, v.Port, v.Transport, v.UserAgent, v.ExpiresAt, v.Data.TimeZone ?? CircuitData.DefaultTimeZone,
        v.Data.LowBalanceThresholds is { IsDefault: false } low ? (IReadOnlyList<decimal>)low : null);

    /// <summary>A Senha SIP given in a circuit body must be valid before anything is saved (write-only: never answered back).</summary>
    private static IResult? SipPasswordProblem(string? sipPassword) =>
        sipPassword is not null && SipPassword.Problem(sipPassword) is { } problem ? Problems.Field("sipPassword", problem) : null;

    internal static async Task<IResult> Create(CircuitRequest body, IClusterClient cluster, HttpContext http)
    {
        if (!CircuitKeys.IsValidAccount(body.Account))
            return Problems.Field("account", "Informe o número do circuito (1 a 20 dígitos).");
        if (SipPasswordProblem(body.SipPassword) is { } sipProblem) return sipProblem;
        var grain = cluster.Circuit(body.Account!);
        var result = await grain.Create(ToData(body), CommandResults.Actor(http));
        if (!result.IsOk) return CommandResults.ToProblem(result);
        if (!string.IsNullOrEmpty(body.WebPassword))
        {
            var pw = await grain.SetWebPassword(body.WebPassword, CommandResults.Actor(http));
            if (!pw.IsOk) return CommandResults.ToProblem(pw);
        }
        if (body.SipPassword is not null)
        {
            var sip = await grain.SetSipPassword(body.SipPassword, CommandResults.Actor(http));
            if (!sip.IsOk) return CommandResults.ToProblem(sip);
        }
        var view = await grain.Get();
        return TypedResults.Created($"/api/circuits/{body.Account}", ToResponse(view!));
    }

    internal static async Task<IResult> Get(string account, IClusterClient cluster)
    {
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var view = await cluster.Circuit(account).Get();
        return view is null ? Problems.NotFound($"Circuito {account} não encontrado.") : TypedResults.Ok(ToResponse(view));
    }

    internal static async Task<IResult> Update(string account, CircuitRequest body, IClusterClient cluster, HttpContext http)
    {
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        if (body.Account is not null && body.Account != account)
            return Problems.Field("account", "O número do circuito não pode ser alterado.");
        if (SipPasswordProblem(body.SipPassword) is { } sipProblem) return sipProblem;
        var grain = cluster.Circuit(account);
        var current = await grain.Get();
        if (current is null) return Problems.NotFound($"Circuito {account} não encontrado.");
        var result = await grain.Update(ToData(body, current.Data), CommandResults.Actor(http));
        // the web flag may be off now, or the password new: this host's portal sessions are rechecked at once
        http.RequestServices.GetRequiredService<WebSessions>().ForgetPortal(account);
        if (!result.IsOk) return CommandResults.ToProblem(result);
        if (!string.IsNullOrEmpty(body.WebPassword))
        {
            var pw = await grain.SetWebPassword(body.WebPassword, CommandResults.Actor(http));
            if (!pw.IsOk) return CommandResults.ToProblem(pw);
        }
        if (body.SipPassword is not null)
        {
            var sip = await grain.SetSipPassword(body.SipPassword, CommandResults.Actor(http));
            if (!sip.IsOk) return CommandResults.ToProblem(sip);
        }
        return TypedResults.Ok(ToResponse((await grain.Get())!));
    }

    private static async Task<IResult> Delete(string account, CircuitService circuits, HttpContext http) =>
        (await circuits.Delete(account, CommandResults.Actor(http))).ToNoContent();

    internal static async Task<IResult> Move(string account, MoveRequest body, IClusterClient cluster, HttpContext http)
    {
        if (body.CustomerId is not { } customerId || customerId <= 0)
            return Problems.Field("customerId", "Informe o cliente de destino.");
        if (!CircuitKeys.IsValidAccount(account)) return Problems.NotFound($"Circuito {account} não encontrado.");
        var result = await cluster.Circuit(account).Move(customerId, CommandResults.Actor(http));
        if (!result.IsOk) return CommandResults.ToProblem(result);
        return TypedResults.Ok(ToResponse((await cluster.Circuit(account).Get())!));
    }

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

    internal static async Task<IResult> Batch(BatchRequest body, IClusterClient cluster, NpgsqlDataSource db, HttpContext http)
    {
        var errors = new FieldErrors();
        var accounts = new List<string>();
        if (body.Accounts is { Count: > 0 } list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (!CircuitKeys.IsValidAccount(list[i])) errors.Add($"accounts[{i}]", "Número de circuito inválido (1 a 20 dígitos).");
                else accounts.Add(list[i]);
            }
        }
        else if (body.Range is { From: { } from, To: { } to })
        {
            if (from <= 0 || to < from) errors.Add("range", "Intervalo inválido: 'from' deve ser positivo e menor ou igual a 'to'.");
            else if (to - from + 1 > MaxBatch) errors.Add("range", $"No máximo {MaxBatch} circuitos por lote.");
            else for (var a = from; a <= to; a++) accounts.Add(a.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            errors.Add("accounts", "Informe 'accounts' (lista) ou 'range' ({from, to}).");
        }
        if (accounts.Count > MaxBatch) errors.Add("accounts", $"No máximo {MaxBatch} circuitos por lote.");
        if (body.Settings is null) errors.Add("settings", "Informe as configurações comuns do lote.");
        else if (body.Settings.SipPassword is not null && SipPassword.Problem(body.Settings.SipPassword) is { } sipProblem)
            errors.Add("settings.sipPassword", sipProblem);
        foreach (var dup in accounts.GroupBy(a => a, StringComparer.Ordinal).Where(g => g.Count() > 1))
            errors.Add("accounts", $"Circuito {dup.Key} repetido no lote.");
        if (accounts.Count > 0 && accounts.Count <= MaxBatch)
        {
            await using var cmd = db.CreateCommand("SELECT account FROM circuits WHERE account = ANY(@a)");
            cmd.Parameters.AddWithValue("a", accounts.ToArray());
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                var taken = r.GetString(0);
                var at = body.Accounts is { } given ? given.ToList().IndexOf(taken) : accounts.IndexOf(taken);
                errors.Add(body.Accounts is null ? "range" : $"accounts[{at}]", $"O circuito {taken} já existe.");
            }
        }
        if (errors.Any) return Problems.Validation(errors.ToDictionary(), "Nenhum circuito foi criado: corrija os itens listados.");

        var data = ToData(body.Settings! with { Account = null });
        var actor = CommandResults.Actor(http);
        // the first one validates the shared settings (plan, customer, DDD...) before any other is created
        var first = await cluster.Circuit(accounts[0]).Create(data, actor);
        if (!first.IsOk) return CommandResults.ToProblem(first);
        var results = await Task.WhenAll(accounts.Skip(1).Select(a => TryCreate(cluster.Circuit(a), data, actor)));
        var failed = results.Select((r, i) => (r, a: accounts[i + 1])).Where(x => x.r is not { IsOk: true }).ToList();
        if (failed.Count > 0)
        {
            // all or none: what this batch created is undone (UndoCreate frees the numbers, so the same batch can be sent
            // again); a creation that threw may or may not have happened, so it is undone too (NotFound when it did not)
            var undo = accounts.Where(a => !failed.Any(f => f.a == a && f.r is not null)).ToList();
            var undone = await Task.WhenAll(undo.Select(async a => (a, r: await cluster.Circuit(a).UndoCreate(actor))));
            foreach (var (r, a) in failed)
                errors.Add($"accounts[{accounts.IndexOf(a)}]", r?.Message ?? "Falhou (tente de novo).");
            var kept = undone.Where(u => u.r.Status is not (CommandStatus.Ok or CommandStatus.NotFound)).ToList();
            foreach (var (a, r) in kept)
                errors.Add($"accounts[{accounts.IndexOf(a)}]", $"Criado, mas não pôde ser desfeito: {r.Message}");
            return Problems.Validation(errors.ToDictionary(), kept.Count == 0
                ? "Nenhum circuito ficou criado: corrija os itens listados."
                : "O lote falhou e alguns circuitos ficaram criados: veja os itens listados.");
        }
        if (!string.IsNullOrEmpty(body.Settings!.WebPassword))
            await Task.WhenAll(accounts.Select(a => cluster.Circuit(a).SetWebPassword(body.Settings.WebPassword, actor)));
        if (body.Settings!.SipPassword is { } sipPassword)
            await Task.WhenAll(accounts.Select(a => cluster.Circuit(a).SetSipPassword(sipPassword, actor)));
        return TypedResults.Created("/api/circuits", new { created = accounts.Count, accounts });
    }

    /// <summary>A creation's outcome, or null when it threw (timeout, silo lost): whether it happened is unknown.</summary>
    private static async Task<CommandResult?> TryCreate(ICircuitGrain grain, CircuitData data, string actor)
    {
        try
        {
            return await grain.Create(data, actor);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }

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
