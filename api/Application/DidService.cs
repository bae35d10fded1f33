using System.Globalization;
using Billing.Api.Apis;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Resellers;

namespace Billing.Api.Application;

/// <summary>What to create: exactly one of a number, a list of numbers or a range (from, to), for a reseller, with a fee.</summary>
public sealed record DidCreateInput(string? Number, IReadOnlyList<string>? Numbers, string? RangeFrom, string? RangeTo, bool HasRange,
    long? ResellerId, decimal? MonthlyFee);

/// <summary>
/// The DIDs' commands, shared by <c>/api/dids</c> and the admin pages (<c>/admin/dids</c>): validates first, then one grain
/// call (the inventory grain creates numbers in bulk; each DID's own grain assigns, releases and keeps its settings).
/// Answers <see cref="CommandResult{T}"/>.
/// </summary>
public sealed class DidService(IClusterClient grains, TimeProvider clock)
{
    public const int MaxCreate = 10_000;

    public const string BadNumberMessage = "Número inválido: use E.164 (+5511…) ou DDD + número.";

    public static string NotRegistered(string number) => $"DID {number} não cadastrado.";

    public Task<DidView?> Get(string e164) => grains.Did(e164).Get();

    /// <summary>Creates the numbers not registered yet; Conflict when every one already was.</summary>
    public async Task<CommandResult<DidCreateResult>> Create(DidCreateInput input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var numbers = new List<string>();
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }
        var forms = (input.Number is null ? 0 : 1) + (input.Numbers is null ? 0 : 1) + (input.HasRange ? 1 : 0);
        if (forms != 1) return CommandResult<DidCreateResult>.Invalid("number", "Informe exatamente um de: number, numbers ou range.");
        if (input.Number is not null)
        {
            if (DidNumbers.Normalize(input.Number) is { } n) numbers.Add(n);
            else Add("number", BadNumberMessage);
        }
        if (input.Numbers is not null)
        {
            if (input.Numbers.Count is 0 or > MaxCreate) Add("numbers", $"Informe de 1 a {MaxCreate} números.");
            for (var i = 0; i < input.Numbers.Count; i++)
            {
                if (DidNumbers.Normalize(input.Numbers[i]) is { } n) numbers.Add(n);
                else Add(string.Create(CultureInfo.InvariantCulture, $"numbers[{i}]"), $"Número inválido: '{input.Numbers[i]}'.");
            }
        }
        if (input.HasRange)
        {
            var list = DidNumbers.Range(input.RangeFrom ?? "", input.RangeTo ?? "", MaxCreate, out var error);
            if (list is null) Add("range", error!);
            else numbers.AddRange(list);
        }
        if (input.MonthlyFee is { } fee && (fee < 0 || fee > 1_000_000m || !Money.HasAtMostTwoDecimals(fee)))
            Add("monthlyFee", "Mensalidade inválida (até 2 casas decimais).");
        if (input.ResellerId is { } rid && await grains.Reseller(rid).Get() is null) Add("resellerId", "Revenda não encontrada.");
        if (errors.Count > 0)
            return CommandResult<DidCreateResult>.Invalid(errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal));

        var unique = numbers.Distinct(StringComparer.Ordinal).ToArray();
        var created = (await grains.GetGrain<IDidInventoryGrain>(IDidInventoryGrain.Key)
            .Create(unique, input.ResellerId, input.MonthlyFee, actor)).ToList();
        created.Sort(StringComparer.Ordinal);
        var duplicates = unique.Except(created, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return created.Count == 0
            ? CommandResult<DidCreateResult>.Conflict("Todos os números informados já estão cadastrados.")
            : CommandResult<DidCreateResult>.Ok(new DidCreateResult(created.Count, created, duplicates));
    }

    /// <summary>The DID goes into service on a circuit (from <paramref name="a"/>'s start, now when none).</summary>
    public async Task<CommandResult<DidView>> Assign(string? number, DidAssignment a, string actor)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (DidNumbers.Normalize(number) is not { } n) return CommandResult<DidView>.Invalid("number", BadNumberMessage);
        if (string.IsNullOrWhiteSpace(a.Account)) return CommandResult<DidView>.Invalid("account", "Informe o circuito dono do DID.");
        if (!CircuitKeys.IsValidAccount(a.Account.Trim())) return CommandResult<DidView>.Invalid("account", "Número de circuito inválido (1 a 20 dígitos).");
        var now = clock.GetUtcNow();
        var window = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (a.ActiveFrom is { } from && InputRules.Moment(from, now, InputRules.PastYears * 366, InputRules.FutureYears * 366) is { } badFrom)
            window["activeFrom"] = [badFrom];
        if (a.ActiveTo is { } to && InputRules.Moment(to, now, InputRules.PastYears * 366, 50 * 366) is { } badTo) window["activeTo"] = [badTo];
        if (a.MonthlyFee is { } fee && Money.Problem(fee) is { } badFee) window["monthlyFee"] = [badFee];
        if (window.Count > 0) return CommandResult<DidView>.Invalid(window);
        var grain = grains.Did(n);
        var r = await grain.Assign(a with { Account = a.Account.Trim() }, actor);
        return r.IsOk ? CommandResult<DidView>.Ok((await grain.Get())!) : CommandResult<DidView>.From(r);
    }

    /// <summary>Takes the DID out of service (back to the inventory; the assignment stays in its history).</summary>
    public async Task<CommandResult<DidView>> Release(string? number, string actor)
    {
        if (DidNumbers.Normalize(number) is not { } n) return CommandResult<DidView>.Invalid("number", BadNumberMessage);
        var grain = grains.Did(n);
        var r = await grain.Release(actor);
        return r.IsOk ? CommandResult<DidView>.Ok((await grain.Get())!) : CommandResult<DidView>.From(r);
    }

    /// <summary>Siga-me and ACB; a value left null keeps the current one (the siga-me destination is replaced with the siga-me).</summary>
    public async Task<CommandResult<DidView>> UpdateSettings(string? number, bool? sigameEnabled, bool sigameGiven, string? sigameDestination,
        bool? acceptsCollect, string actor)
    {
        if (DidNumbers.Normalize(number) is not { } n) return CommandResult<DidView>.Invalid("number", BadNumberMessage);
        var grain = grains.Did(n);
        var current = await grain.Get();
        if (current is null) return CommandResult<DidView>.NotFound(NotRegistered(n));
        var sigame = new SigameSettings(sigameEnabled ?? current.Sigame.Enabled, sigameGiven ? sigameDestination : current.Sigame.Destination);
        var r = await grain.UpdateSettings(new DidSettings(sigame, acceptsCollect ?? current.AcceptsCollect), actor);
        return r.IsOk ? CommandResult<DidView>.Ok((await grain.Get())!) : CommandResult<DidView>.From(r);
    }
}
