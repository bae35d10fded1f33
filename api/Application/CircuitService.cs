using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Application;

/// <summary>What happened to one circuit of a bulk action of the circuit list (Excluir Circuitos, Configurar Fatura).</summary>
public sealed record CircuitOutcome(string Account, bool Ok, string? Message);

/// <summary>The invoice settings "Configurar Fatura" applies to the selected circuits; a null field keeps each circuit's own.</summary>
public sealed record InvoiceSettings(int? ClosingDay, int? DueDays, decimal? MonthlyFee);

/// <summary>
/// Circuit commands shared by <c>/api/circuits</c> and the admin pages (create, edit, move, "Novo Lote", credits, delete,
/// the list's bulk actions): validates first (the grain validates again), then the grain call. Answers
/// <see cref="CommandResult{T}"/>; the REST handlers map it to HTTP (<see cref="CommandResults"/>), a page to field errors.
/// </summary>
public sealed class CircuitService(IClusterClient grains, CircuitQueries queries, WebSessions sessions)
{
    /// <summary>Most circuits one bulk action of the list takes (the list shows 50 per page).</summary>
    public const int MaxBulk = 500;

    /// <summary>Most circuits one "Novo Lote" creates.</summary>
    public const int MaxBatch = 1000;

    public const decimal MaxCredit = 10_000_000m;

    public async Task<CircuitView?> Get(string account) =>
        CircuitKeys.IsValidAccount(account) ? await grains.Circuit(account).Get() : null;

    /// <summary>The circuit as <c>GET /api/circuits/{account}</c> answers it; NotFound when there is none.</summary>
    public async Task<CommandResult<CircuitResponse>> Find(string account)
    {
        var view = await Get(account);
        return view is null ? NotFound<CircuitResponse>(account) : CommandResult<CircuitResponse>.Ok(CircuitResponse.From(view));
    }

    /// <summary>Creates a circuit; its Senha Web and Senha SIP, when given, are set right after.</summary>
    public async Task<CommandResult<CircuitResponse>> Create(CircuitRequest body, string actor)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!CircuitKeys.IsValidAccount(body.Account))
            return CommandResult<CircuitResponse>.Invalid("account", "Informe o número do circuito (1 a 20 dígitos).");
        if (SipPasswordProblem(body.SipPassword) is { } sipProblem) return sipProblem;
        var grain = grains.Circuit(body.Account!);
        var result = await grain.Create(body.ToData(), actor);
        if (!result.IsOk) return CommandResult<CircuitResponse>.From(result);
        if (!string.IsNullOrEmpty(body.WebPassword))
        {
            var pw = await grain.SetWebPassword(body.WebPassword, actor);
            if (!pw.IsOk) return CommandResult<CircuitResponse>.From(pw);
        }
        if (body.SipPassword is not null)
        {
            var sip = await grain.SetSipPassword(body.SipPassword, actor);
            if (!sip.IsOk) return CommandResult<CircuitResponse>.From(sip);
        }
        var view = await grain.Get();
        return CommandResult<CircuitResponse>.Ok(CircuitResponse.From(view!));
    }

    /// <summary>Edits a circuit (a field left null keeps its value); the account number cannot change.</summary>
    public async Task<CommandResult<CircuitResponse>> Update(string account, CircuitRequest body, string actor)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!CircuitKeys.IsValidAccount(account)) return NotFound<CircuitResponse>(account);
        if (body.Account is not null && body.Account != account)
            return CommandResult<CircuitResponse>.Invalid("account", "O número do circuito não pode ser alterado.");
        if (SipPasswordProblem(body.SipPassword) is { } sipProblem) return sipProblem;
        var grain = grains.Circuit(account);
        var current = await grain.Get();
        if (current is null) return NotFound<CircuitResponse>(account);
        var result = await grain.Update(body.ToData(current.Data), actor);
        // the web flag may be off now, or the password new: this host's portal sessions are rechecked at once
        sessions.ForgetPortal(account);
        if (!result.IsOk) return CommandResult<CircuitResponse>.From(result);
        if (!string.IsNullOrEmpty(body.WebPassword))
        {
            var pw = await grain.SetWebPassword(body.WebPassword, actor);
            if (!pw.IsOk) return CommandResult<CircuitResponse>.From(pw);
        }
        if (body.SipPassword is not null)
        {
            var sip = await grain.SetSipPassword(body.SipPassword, actor);
            if (!sip.IsOk) return CommandResult<CircuitResponse>.From(sip);
        }
        return CommandResult<CircuitResponse>.Ok(CircuitResponse.From((await grain.Get())!));
    }

    /// <summary>Moves a circuit to another customer: issued invoices stay with the previous one, the next consolidate under the new.</summary>
    public async Task<CommandResult<CircuitResponse>> Move(string account, long? customerId, string actor)
    {
        if (customerId is not { } target || target <= 0)
            return CommandResult<CircuitResponse>.Invalid("customerId", "Informe o cliente de destino.");
        if (!CircuitKeys.IsValidAccount(account)) return NotFound<CircuitResponse>(account);
        var result = await grains.Circuit(account).Move(target, actor);
        if (!result.IsOk) return CommandResult<CircuitResponse>.From(result);
        return CommandResult<CircuitResponse>.Ok(CircuitResponse.From((await grains.Circuit(account).Get())!));
    }

    /// <summary>
    /// "Novo Lote": many circuits with the same settings, by list or range — all or none. The first creation validates
    /// the shared settings; when a later one fails, what the batch created is undone (UndoCreate frees the numbers).
    /// </summary>
    public async Task<CommandResult<BatchResponse>> Batch(BatchRequest body, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
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
            foreach (var taken in await queries.Taken(accounts, ct))
            {
                var at = body.Accounts is { } given ? given.ToList().IndexOf(taken) : accounts.IndexOf(taken);
                errors.Add(body.Accounts is null ? "range" : $"accounts[{at}]", $"O circuito {taken} já existe.");
            }
        }
        if (errors.Any) return BatchRefused(errors, "Nenhum circuito foi criado: corrija os itens listados.");

        var data = (body.Settings! with { Account = null }).ToData();
        // the first one validates the shared settings (plan, customer, DDD...) before any other is created
        var first = await grains.Circuit(accounts[0]).Create(data, actor);
        if (!first.IsOk) return CommandResult<BatchResponse>.From(first);
        var results = await Task.WhenAll(accounts.Skip(1).Select(a => TryCreate(grains.Circuit(a), data, actor)));
        var failed = results.Select((r, i) => (r, a: accounts[i + 1])).Where(x => x.r is not { IsOk: true }).ToList();
        if (failed.Count > 0)
        {
            // all or none: what this batch created is undone (UndoCreate frees the numbers, so the same batch can be sent
            // again); a creation that threw may or may not have happened, so it is undone too (NotFound when it did not)
            var undo = accounts.Where(a => !failed.Any(f => f.a == a && f.r is not null)).ToList();
            var undone = await Task.WhenAll(undo.Select(async a => (a, r: await grains.Circuit(a).UndoCreate(actor))));
            foreach (var (r, a) in failed)
                errors.Add($"accounts[{accounts.IndexOf(a)}]", r?.Message ?? "Falhou (tente de novo).");
            var kept = undone.Where(u => u.r.Status is not (CommandStatus.Ok or CommandStatus.NotFound)).ToList();
            foreach (var (a, r) in kept)
                errors.Add($"accounts[{accounts.IndexOf(a)}]", $"Criado, mas não pôde ser desfeito: {r.Message}");
            return BatchRefused(errors, kept.Count == 0
                ? "Nenhum circuito ficou criado: corrija os itens listados."
                : "O lote falhou e alguns circuitos ficaram criados: veja os itens listados.");
        }
        if (!string.IsNullOrEmpty(body.Settings!.WebPassword))
            await Task.WhenAll(accounts.Select(a => grains.Circuit(a).SetWebPassword(body.Settings.WebPassword, actor)));
        if (body.Settings!.SipPassword is { } sipPassword)
            await Task.WhenAll(accounts.Select(a => grains.Circuit(a).SetSipPassword(sipPassword, actor)));
        return CommandResult<BatchResponse>.Ok(new BatchResponse(accounts.Count, accounts));
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

    /// <summary>A refused batch: the field errors with a summary of what is left (the problem's detail).</summary>
    private static CommandResult<BatchResponse> BatchRefused(FieldErrors errors, string summary) =>
        new(CommandStatus.Invalid, default, summary, errors.ToDictionary().AsReadOnly());

    /// <summary>A Senha SIP given in a circuit body must be valid before anything is saved (write-only: never answered back).</summary>
    private static CommandResult<CircuitResponse>? SipPasswordProblem(string? sipPassword) =>
        sipPassword is not null && SipPassword.Problem(sipPassword) is { } problem
            ? CommandResult<CircuitResponse>.Invalid("sipPassword", problem)
            : null;

    /// <summary>
    /// A top-up (positive) or adjustment (negative) with its description; the idempotency key makes a repeated request
    /// (double submit, retry) credit once — the grain answers the first outcome again with <c>Duplicate</c>.
    /// </summary>
    public async Task<CommandResult<CreditResult>> Credit(string account, decimal? amount, string? description, string? idempotencyKey,
        string actor)
    {
        var errors = new FieldErrors();
        if (amount is not { } value || value == 0) errors.Add("amount", "Informe um valor diferente de zero (negativo = débito).");
        else if (!Money.HasAtMostTwoDecimals(value)) errors.Add("amount", "Use no máximo 2 casas decimais (centavos).");
        else if (Math.Abs(value) > MaxCredit) errors.Add("amount", "Valor grande demais.");
        if (string.IsNullOrWhiteSpace(description)) errors.Add("description", "Informe a descrição do lançamento.");
        else if (description.Length > 200) errors.Add("description", "A descrição pode ter no máximo 200 caracteres.");
        else if (description.Any(IsForbidden)) errors.Add("description", "A descrição não pode ter caracteres de controle.");
        if (string.IsNullOrWhiteSpace(idempotencyKey)) errors.Add("idempotencyKey", "Informe a chave de idempotência.");
        else if (idempotencyKey.Length > 100) errors.Add("idempotencyKey", "A chave pode ter no máximo 100 caracteres.");
        else if (idempotencyKey.Any(char.IsControl)) errors.Add("idempotencyKey", "A chave não pode ter caracteres de controle.");
        if (errors.Any) return CommandResult<CreditResult>.Invalid(errors.ToDictionary().AsReadOnly());
        if (!CircuitKeys.IsValidAccount(account)) return NotFound<CreditResult>(account);
        var r = await grains.Circuit(account).Credit(new CreditRequest(amount!.Value, description!.Trim(), idempotencyKey!.Trim(), actor));
        return r.Found ? CommandResult<CreditResult>.Ok(r) : NotFound<CreditResult>(account);
    }

    /// <summary>Deletes one circuit (refused while it has calls in progress or invoices not closed; its history stays).</summary>
    public async Task<CommandResult<string>> Delete(string account, string actor)
    {
        if (!CircuitKeys.IsValidAccount(account)) return NotFound<string>(account);
        var r = await grains.Circuit(account).Delete(actor);
        return r.IsOk ? CommandResult<string>.Ok(account) : CommandResult<string>.From(r);
    }

    /// <summary>"Excluir Circuitos": each selected circuit deleted on its own; the answer says which were and why not the others.</summary>
    public async Task<CommandResult<IReadOnlyList<CircuitOutcome>>> DeleteMany(IReadOnlyList<string>? accounts, string actor)
    {
        if (Selection(accounts) is { } invalid) return invalid;
        var results = await Task.WhenAll(accounts!.Distinct(StringComparer.Ordinal).Select(async a =>
        {
            var r = await grains.Circuit(a).Delete(actor);
            return new CircuitOutcome(a, r.IsOk, r.Message);
        }));
        return CommandResult<IReadOnlyList<CircuitOutcome>>.Ok(results);
    }

    /// <summary>"Configurar Fatura" on the selected circuits: closing day, due days and monthly fee (blank keeps each circuit's).</summary>
    public async Task<CommandResult<IReadOnlyList<CircuitOutcome>>> ConfigureInvoice(IReadOnlyList<string>? accounts, InvoiceSettings settings,
        string actor)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new FieldErrors();
        if (settings is { ClosingDay: null, DueDays: null, MonthlyFee: null })
            errors.Add("invoice", "Informe ao menos um campo da fatura para aplicar.");
        if (settings.ClosingDay is < 1 or > 28) errors.Add("invoice.closingDay", "O dia de fechamento vai de 1 a 28.");
        if (settings.DueDays is < 0 or > 90) errors.Add("invoice.dueDays", "Os dias até o vencimento vão de 0 a 90.");
        if (settings.MonthlyFee is { } fee)
        {
            if (fee < 0 || fee > MaxCredit) errors.Add("invoice.monthlyFee", "Mensalidade inválida.");
            else if (!Money.HasAtMostTwoDecimals(fee)) errors.Add("invoice.monthlyFee", "Use no máximo 2 casas decimais (centavos).");
        }
        if (errors.Any) return CommandResult<IReadOnlyList<CircuitOutcome>>.Invalid(errors.ToDictionary().AsReadOnly());
        if (Selection(accounts) is { } invalid) return invalid;
        var results = await Task.WhenAll(accounts!.Distinct(StringComparer.Ordinal).Select(async a =>
        {
            var grain = grains.Circuit(a);
            var current = await grain.Get();
            if (current is null) return new CircuitOutcome(a, false, $"Circuito {a} não encontrado.");
            var inv = current.Data.Invoice;
            var data = current.Data with
            {
                Invoice = inv with
                {
                    ClosingDay = settings.ClosingDay ?? inv.ClosingDay,
                    DueDays = settings.DueDays ?? inv.DueDays,
                    MonthlyFee = settings.MonthlyFee ?? inv.MonthlyFee,
                },
            };
            var r = await grain.Update(data, actor);
            return new CircuitOutcome(a, r.IsOk, r.IsOk ? null : Describe(r));
        }));
        return CommandResult<IReadOnlyList<CircuitOutcome>>.Ok(results);
    }

    /// <summary>Control characters other than line breaks and tabs (a NUL would be refused by PostgreSQL).</summary>
    private static bool IsForbidden(char c) => char.IsControl(c) && c is not ('\n' or '\r' or '\t');

    private static string? Describe(CommandResult r) =>
        r.Errors is { Count: > 0 } e ? string.Join(" ", e.Values.SelectMany(m => m)) : r.Message;

    private static CommandResult<IReadOnlyList<CircuitOutcome>>? Selection(IReadOnlyList<string>? accounts)
    {
        if (accounts is not { Count: > 0 }) return CommandResult<IReadOnlyList<CircuitOutcome>>.Invalid("accounts", "Selecione ao menos um circuito.");
        if (accounts.Count > MaxBulk)
            return CommandResult<IReadOnlyList<CircuitOutcome>>.Invalid("accounts", $"Selecione no máximo {MaxBulk} circuitos.");
        if (accounts.FirstOrDefault(a => !CircuitKeys.IsValidAccount(a)) is { } bad)
            return CommandResult<IReadOnlyList<CircuitOutcome>>.Invalid("accounts", $"Número de circuito inválido: {bad}.");
        return null;
    }

    private static CommandResult<T> NotFound<T>(string account) => CommandResult<T>.NotFound($"Circuito {account} não encontrado.");
}
