using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Audit;
using Billing.Grains.Numbering;
using Billing.Grains.Rating;

namespace Billing.Grains.Circuits;

/// <summary>Inbound calls: blacklist, collect calls (ACB), siga-me destinations, reseller completion.</summary>
public sealed partial class CircuitGrain
{
    public const int MaxBlacklist = Blacklist.MaxNumbers;

    private Blacklist? _blacklist;

    /// <summary>The rules over the stored list, made again after every change of it.</summary>
    private Blacklist BlacklistRules => _blacklist ??= new Blacklist(_s.Blacklist);

    /// <summary>Completion of inbound minutes: per second, no connect fee, rounded once to centavos (half away from zero).</summary>
    public static decimal CompletionCost(decimal pricePerMinute, int seconds) =>
        seconds <= 0 || pricePerMinute <= 0 ? 0m : TariffCalculator.Rate(Tariff.Simple(pricePerMinute, 1), seconds).Cost;

    /// <summary>A collect call recognised by the caller's number (90+CSP…, 9090+local).</summary>
    private bool IsCollectCaller(string? caller)
    {
        if (string.IsNullOrWhiteSpace(caller)) return false;
        var c = NumberClassifier.Classify(_s.Data.AreaCode, caller.Trim());
        return c.IsValid && c.Classification!.CallType == CallType.ACobrar;
    }

    private string? InboundRefusal(AuthorizeRequest request)
    {
        if (_s.Data.Flags.Blacklist && BlacklistRules.Blocks(_s.Data.AreaCode, request.Caller))
            return RefusalReasons.ChamadorBloqueado;
        var collect = request.Collect || IsCollectCaller(request.Caller);
        if (collect && !(request.Inbound is { AcceptsCollect: true } && _s.Data.Flags.Acb))
            return RefusalReasons.ACobrarRecusada;
        return null;
    }

    /// <summary>An inbound CDR that was never authorized: find its DID's route when the DID belongs to this circuit.</summary>
    private async Task<InboundRoute?> InboundRouteOfCdrAsync(string destination)
    {
        if (DidNumbers.Normalize(destination) is not { } e164) return null;
        var route = await GrainFactory.Did(e164).Route();
        return route is not null && string.Equals(route.Account, _account, StringComparison.Ordinal) ? route with { ForwardTo = null } : null;
    }

    public Task<IReadOnlyList<string>?> GetBlacklist() =>
        Task.FromResult(Live ? BlacklistRules.Sorted() : null);

    private BlacklistResult BlacklistOk(int added) =>
        new(CommandResult.Ok, [.. BlacklistRules.Sorted()], added);

    public async Task<BlacklistResult> AddToBlacklist(IReadOnlyList<string> numbers, string actor)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (!Live) return new(CommandResult.NotFound($"Circuito {_account} não encontrado."), [], 0);
        var (normalized, errors) = Blacklist.Parse(_s.Data.AreaCode, numbers);
        if (errors.Count > 0) return new(CommandResult.Invalid(errors), [], 0);
        await _adminLock.WaitAsync();
        try
        {
            var fresh = BlacklistRules.Fresh(normalized);
            if (fresh.Count == 0) return BlacklistOk(0);
            if (BlacklistRules.With(fresh) is not { } list)
                return new(CommandResult.Invalid("numbers", $"A blacklist tem no máximo {MaxBlacklist} números."), [], 0);
            await SaveBlacklistAsync(list, actor, "blacklist-add", string.Join(',', fresh));
            return BlacklistOk(fresh.Count);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public async Task<BlacklistResult> RemoveFromBlacklist(string number, string actor)
    {
        if (!Live) return new(CommandResult.NotFound($"Circuito {_account} não encontrado."), [], 0);
        if (Blacklist.Normalize(_s.Data.AreaCode, number) is not { } n)
            return new(CommandResult.Invalid("number", $"Número inválido: '{number}'."), [], 0);
        await _adminLock.WaitAsync();
        try
        {
            if (!BlacklistRules.Contains(n)) return new(CommandResult.NotFound($"O número {n} não está na blacklist."), [], 0);
            await SaveBlacklistAsync(BlacklistRules.Without(n), actor, "blacklist-remove", n);
            return BlacklistOk(0);
        }
        finally
        {
            _adminLock.Release();
        }
    }

    private async Task SaveBlacklistAsync(List<string> list, string actor, string action, string what)
    {
        var previous = _s.Blacklist;
        var now = Now;
        await using var conn = await store.Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, action,
            new Dictionary<string, FieldChange>(StringComparer.Ordinal)
            {
                ["blacklist"] = action == "blacklist-add" ? new FieldChange(null, what) : new FieldChange(what, null),
            });
        _s.Blacklist = list;
        _blacklist = null;
        try
        {
            await PersistAsync();
        }
        catch
        {
            _s.Blacklist = previous;
            _blacklist = null;
            throw;
        }
        await tx.CommitAsync();
    }

    public async Task<DialCheck> CheckDialable(string destination)
    {
        if (!Live) return new DialCheck(false, null, null, "Circuito não encontrado.");
        var classified = NumberClassifier.Classify(_s.Data.AreaCode, destination ?? "");
        if (!classified.IsValid) return new DialCheck(false, null, null, classified.Reason ?? "Destino inválido.");
        var c = classified.Classification!;
        if (c.CallType is CallType.Emergencia or CallType.ACobrar)
            return new DialCheck(false, c.NormalizedNumber, Wire(c.CallType), "O siga-me não pode encaminhar para números de emergência/utilidade ou chamadas a cobrar.");
        if (_s.Data.PlanId is not { } planId)
            return new DialCheck(false, c.NormalizedNumber, Wire(c.CallType), "O circuito não tem plano: não pode discar para este destino.");
        var rating = await RateAsync(planId, c, 0, Now);
        if (!rating.Ok || rating.Tariff is null)
            return new DialCheck(false, c.NormalizedNumber, Wire(c.CallType), rating.Message ?? "Destino não permitido pelo plano do circuito.");
        return new DialCheck(true, rating.Classification!.NormalizedNumber, Wire(rating.Classification.CallType), null);
    }
}
