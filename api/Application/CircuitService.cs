using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Application;

/// <summary>What happened to one circuit of a bulk action of the circuit list (Excluir Circuitos, Configurar Fatura).</summary>
public sealed record CircuitOutcome(string Account, bool Ok, string? Message);

/// <summary>The invoice settings "Configurar Fatura" applies to the selected circuits; a null field keeps each circuit's own.</summary>
public sealed record InvoiceSettings(int? ClosingDay, int? DueDays, decimal? MonthlyFee);

/// <summary>
/// Circuit commands shared by <c>/api/circuits</c> and the admin pages (credits, delete, the list's bulk actions):
/// validates first (the grain validates again), then the grain call. Answers <see cref="CommandResult{T}"/>.
/// </summary>
public sealed class CircuitService(IClusterClient grains)
{
    /// <summary>Most circuits one bulk action of the list takes (the list shows 50 per page).</summary>
    public const int MaxBulk = 500;

    public const decimal MaxCredit = 10_000_000m;

    public async Task<CircuitView?> Get(string account) =>
        CircuitKeys.IsValidAccount(account) ? await grains.Circuit(account).Get() : null;

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
