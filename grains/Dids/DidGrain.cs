using System.Globalization;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Resellers;
using Billing.Grains.Audit;
using Npgsql;
using Orleans.Concurrency;

namespace Billing.Grains.Dids;

/// <summary>
/// DID <c>did:&lt;e164&gt;</c>. Its <c>dids</c> row is the source of truth: loaded on activation (and looked up
/// again while the grain knows no row, so DIDs created in bulk are seen at once); every change goes through this
/// grain, which validates it, asks the table's owner (<see cref="IDidInventoryGrain"/>) to write the row, the
/// assignment history (<c>did_assignments</c>) and the audit log in one transaction, and then updates memory.
/// Inbound routing is answered from memory.
/// </summary>
[Reentrant]
public sealed class DidGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IDidGrain
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private string _number = "";
    private DidView? _view;
    private long? _routeResellerId;
    private decimal _routePrice;
    private DateTimeOffset _priceFetchedAt = DateTimeOffset.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _number = this.GetPrimaryKeyString()[DidKeys.Prefix.Length..];
        _view = await LoadAsync(cancellationToken);
    }

    private async Task<DidView?> LoadAsync(CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT reseller_id, account, active_from, active_to, monthly_fee, sigame_enabled, sigame_destination,
                   accepts_collect, created_at
            FROM dids WHERE number = @n
            """);
        cmd.Parameters.AddWithValue("n", _number);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        return new DidView
        {
            Number = _number,
            ResellerId = r.IsDBNull(0) ? null : r.GetInt64(0),
            Account = r.IsDBNull(1) ? null : r.GetString(1),
            ActiveFrom = T(2),
            ActiveTo = T(3),
            MonthlyFee = r.IsDBNull(4) ? null : r.GetDecimal(4),
            Sigame = new SigameSettings(r.GetBoolean(5), r.IsDBNull(6) ? null : r.GetString(6)),
            AcceptsCollect = r.GetBoolean(7),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(8),
        };
    }

    private async Task<DidView?> CurrentAsync() => _view ??= await LoadAsync();

    public async Task<DidView?> Get() => await CurrentAsync();

    public async Task<InboundRoute?> Route()
    {
        var v = await CurrentAsync();
        var now = clock.GetUtcNow();
        if (v is null || !v.IsActive(now)) return null;
        if (v.ResellerId != _routeResellerId || now - _priceFetchedAt > TimeSpan.FromSeconds(30))
        {
            // the reseller's completion price, cached briefly (its grain answers from memory)
            _routePrice = v.ResellerId is { } rid ? await GrainFactory.Reseller(rid).GetCompletionPrice() ?? 0m : 0m;
            _routeResellerId = v.ResellerId;
            _priceFetchedAt = now;
        }
        return new InboundRoute
        {
            Did = _number,
            Account = v.Account!,
            ResellerId = v.ResellerId,
            CompletionPricePerMinute = _routePrice,
            AcceptsCollect = v.AcceptsCollect,
            ForwardTo = v.Sigame.Enabled ? v.Sigame.Destination : null,
        };
    }

    /// <summary>The one writer of <c>dids</c> and <c>did_assignments</c>: this grain decides, the inventory writes.</summary>
    private IDidInventoryGrain Owner => GrainFactory.GetGrain<IDidInventoryGrain>(IDidInventoryGrain.Key);

    public async Task<CommandResult> Assign(DidAssignment a, string actor)
    {
        ArgumentNullException.ThrowIfNull(a);
        await _lock.WaitAsync();
        try
        {
            var v = await CurrentAsync();
            if (v is null) return CommandResult.NotFound($"DID {_number} não cadastrado.");
            var now = clock.GetUtcNow();
            if (v.Account is not null && (v.ActiveTo is null || v.ActiveTo > now))
                return CommandResult.Conflict($"O DID {_number} já está atribuído ao circuito {v.Account}; libere-o antes.");
            if (!CircuitKeys.IsValidAccount(a.Account) || await GrainFactory.Circuit(a.Account).Get() is null)
                return CommandResult.Invalid("account", "Circuito não encontrado.");
            var resellerId = a.ResellerId ?? v.ResellerId;
            decimal? resellerFee = null;
            if (resellerId is { } rid)
            {
                var reseller = await GrainFactory.Reseller(rid).Get();
                if (reseller is null) return CommandResult.Invalid("resellerId", "Revenda não encontrada.");
                resellerFee = reseller.Data.DidMonthlyFee;
            }
            var fee = a.MonthlyFee ?? v.MonthlyFee;
            if (fee is < 0 or > 1_000_000m || (fee is { } f && !Money.HasAtMostTwoDecimals(f)))
                return CommandResult.Invalid("monthlyFee", "Mensalidade inválida (até 2 casas decimais).");
            var from = a.ActiveFrom ?? now;
            if (a.ActiveTo is { } to && to <= from) return CommandResult.Invalid("activeTo", "O fim deve ser depois do início.");

            var after = v with { Account = a.Account, ResellerId = resellerId, ActiveFrom = from, ActiveTo = a.ActiveTo, MonthlyFee = fee };
            await Owner.SaveAssignment(v, after, fee ?? resellerFee ?? 0m, now, actor);
            _view = after;
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<CommandResult> Release(string actor)
    {
        await _lock.WaitAsync();
        try
        {
            var v = await CurrentAsync();
            if (v is null) return CommandResult.NotFound($"DID {_number} não cadastrado.");
            if (v.Account is null) return CommandResult.Conflict($"O DID {_number} não está atribuído a nenhum circuito.");
            var now = clock.GetUtcNow();
            var end = v.ActiveTo is { } t && t < now ? t : now;
            await Owner.SaveRelease(v, end, now, actor);
            // routing settings belong to the customer who had the number; a released DID starts clean
            _view = v with { Account = null, ActiveFrom = null, ActiveTo = null, Sigame = new SigameSettings(false, null), AcceptsCollect = false };
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<CommandResult> UpdateSettings(DidSettings settings, string actor)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await _lock.WaitAsync();
        try
        {
            var v = await CurrentAsync();
            if (v is null) return CommandResult.NotFound($"DID {_number} não cadastrado.");
            var sigame = settings.Sigame ?? new SigameSettings(false, null);
            string? destination = string.IsNullOrWhiteSpace(sigame.Destination) ? null : sigame.Destination.Trim();
            // a disabled siga-me may keep its destination for later; it is checked again when switched on
            if (sigame.Enabled)
            {
                if (v.Account is null)
                    return CommandResult.Invalid("sigame", "Atribua o DID a um circuito antes de configurar o siga-me.");
                if (destination is null)
                    return CommandResult.Invalid("sigame.destination", "Informe o número de destino do siga-me.");
                if (destination.Length > 64) return CommandResult.Invalid("sigame.destination", "Destino longo demais.");
                // the forwarded leg is an outbound call of the owner circuit: it must be a number the circuit could dial
                var check = await GrainFactory.Circuit(v.Account).CheckDialable(destination);
                if (!check.Ok)
                    return CommandResult.Invalid("sigame.destination",
                        "O destino do siga-me precisa seguir as regras de saída do circuito: " + (check.Reason ?? "destino não permitido."));
            }
            var after = v with { Sigame = new SigameSettings(sigame.Enabled, destination), AcceptsCollect = settings.AcceptsCollect };
            await Owner.SaveSettings(v, after, clock.GetUtcNow(), actor);
            _view = after;
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }
}
