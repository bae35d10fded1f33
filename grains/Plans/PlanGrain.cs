using System.Collections.Immutable;
using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Numbering;
using Billing.Grains.Rating;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Grains.Plans;

[GenerateSerializer, Alias("Billing.PlanState")]
public sealed class PlanState
{
    [Id(0)] public Plan? Plan { get; set; }
}

/// <summary>A versioned tariff plan (key <c>plan:&lt;id&gt;</c>); keeps the <c>plans</c> read model up to date.</summary>
public sealed class PlanGrain(
    [PersistentState("plan", BillingSettings.StorageName)] IPersistentState<PlanState> state,
    NpgsqlDataSource db,
    IGrainFactory grains,
    ILogger<PlanGrain> log)
    : Grain, IPlanGrain
{
    public const string KeyPrefix = "plan:";

    private string PlanId => StripPrefix(this.GetPrimaryKeyString());

    public static string StripPrefix(string key) =>
        key.StartsWith(KeyPrefix, StringComparison.Ordinal) ? key[KeyPrefix.Length..] : key;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        // The read model is written after the grain state; re-sync it here in case that second write was lost.
        if (state.State.Plan is not { } plan) return;
        try
        {
            await UpsertReadModel(plan, ct);
        }
        catch (NpgsqlException e)
        {
            log.LogWarning(e, "Não consegui atualizar o read model do plano {Plan}; fica para a próxima alteração.", plan.Id);
        }
    }

    public Task<Plan?> Get() => Task.FromResult(state.State.Plan);

    public async Task<Plan> Create(string name, DateTimeOffset validFrom, ImmutableDictionary<CallType, PlanEntry> entries)
    {
        if (state.State.Plan is not null) throw new InvalidOperationException($"O plano '{PlanId}' já existe.");
        Check(name, entries);
        var plan = new Plan(PlanId, name.Trim(), [new PlanVersion(1, validFrom, entries)]);
        await Save(plan);
        return plan;
    }

    public async Task<Plan> AddVersion(string? name, DateTimeOffset validFrom, ImmutableDictionary<CallType, PlanEntry> entries)
    {
        var plan = state.State.Plan ?? throw new KeyNotFoundException($"O plano '{PlanId}' não existe.");
        var latest = plan.Latest!;
        if (validFrom <= latest.ValidFrom)
            throw new ArgumentException(
                $"A nova versão deve valer a partir de uma data posterior à da versão {latest.Version} ({latest.ValidFrom:O}).", nameof(validFrom));
        Check(name ?? plan.Name, entries);
        var updated = plan with
        {
            Name = string.IsNullOrWhiteSpace(name) ? plan.Name : name.Trim(),
            Versions = plan.Versions.Add(new PlanVersion(latest.Version + 1, validFrom, entries)),
        };
        await Save(updated);
        return updated;
    }

    public Task<PlanVersion?> GetVersionAt(DateTimeOffset at) => Task.FromResult(state.State.Plan?.VersionAt(at));

    public async Task<CallRating> Rate(string areaCode, string destination, int durationSeconds, DateTimeOffset callStart) =>
        await PlanRating.RateAsync(state.State.Plan, PlanId, areaCode, destination, durationSeconds, callStart,
            (deck, number) => grains.GetGrain<IRateDeckGrain>(RateDeckGrain.KeyPrefix + deck).Match(number));

    public async Task<CallRating> RateIn(string areaCode, string destination, int durationSeconds, DateTimeOffset callStart, string timeZone, string? uf)
    {
        var zone = RatingContext.FindZone(timeZone) ?? throw new ArgumentException($"Fuso horário desconhecido: '{timeZone}'.", nameof(timeZone));
        var holidays = await grains.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key).List();
        var calendar = new HolidayCalendar(holidays, uf);
        var context = new RatingContext(zone, calendar.IsHoliday);
        var rating = await PlanRating.RateAsync(state.State.Plan, PlanId, areaCode, destination, durationSeconds, callStart,
            (deck, number) => grains.GetGrain<IRateDeckGrain>(RateDeckGrain.KeyPrefix + deck).Match(number), context);
        // the preview shows parts for every call: an entry without windows is one part (same algorithm, same total)
        if (rating is { Ok: true, Parts: null, Tariff: { } tariff })
            rating = rating with { Parts = new WindowedTariff(tariff, [], context).Detail(callStart, durationSeconds).Parts };
        return rating;
    }

    private static void Check(string name, ImmutableDictionary<CallType, PlanEntry> entries)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("Informe o nome do plano.", nameof(name));
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (type, entry) in entries)
        {
            if ((entry.Tariff is null) == string.IsNullOrWhiteSpace(entry.RateDeckId))
                throw new ArgumentException($"O tipo {type} deve ter uma tarifa ou uma tabela de destinos, não ambos.", nameof(entries));
            if (entry.Tariff?.Validate() is { Count: > 0 } errors)
                throw new ArgumentException($"Tarifa inválida para {type}: {errors[0].Value}", nameof(entries));
            if (entry.Windows is { IsDefaultOrEmpty: false } windows)
            {
                if (entry.Tariff is null)
                    throw new ArgumentException($"O tipo {type}: janelas de horário só em tarifas fixas, não em tabelas de destinos.", nameof(entries));
                if (TariffWindow.Validate(windows) is { Count: > 0 } windowErrors)
                    throw new ArgumentException($"Janela inválida para {type}: {windowErrors[0].Key}: {windowErrors[0].Value}", nameof(entries));
            }
        }
    }

    private async Task Save(Plan plan)
    {
        state.State.Plan = plan;
        await state.WriteStateAsync();
        await UpsertReadModel(plan, CancellationToken.None);
    }

    private async Task UpsertReadModel(Plan plan, CancellationToken ct)
    {
        var latest = plan.Latest!;
        await using var cmd = db.CreateCommand(
            """
            INSERT INTO plans (id, name, versions, latest_version, latest_valid_from, windows, updated_at)
            VALUES (@id, @name, @versions, @latest, @validFrom, @windows::jsonb, now())
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, versions = EXCLUDED.versions,
                latest_version = EXCLUDED.latest_version, latest_valid_from = EXCLUDED.latest_valid_from,
                windows = EXCLUDED.windows, updated_at = now()
            """);
        cmd.Parameters.AddWithValue("id", plan.Id);
        cmd.Parameters.AddWithValue("name", plan.Name);
        cmd.Parameters.AddWithValue("versions", plan.Versions.Length);
        cmd.Parameters.AddWithValue("latest", latest.Version);
        cmd.Parameters.AddWithValue("validFrom", latest.ValidFrom.ToUniversalTime());
        cmd.Parameters.AddWithValue("windows", WindowsJson(latest));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The read model's summary of a version's windows (the plan list shows it): [{type, days, from, to, prices, connectFee}].</summary>
    internal static string WindowsJson(PlanVersion version) =>
        System.Text.Json.JsonSerializer.Serialize(version.Entries.OrderBy(e => e.Key)
            .SelectMany(e => (e.Value.Windows ?? []).Select(w => new
            {
                type = CallTypes.Wire(e.Key),
                days = w.Days.Select(TariffWindow.Name).ToArray(),
                from = TariffWindow.Time(w.FromMinute),
                to = TariffWindow.Time(w.ToMinute),
                prices = w.Tariff.Slots.Select(s => s.PricePerMinute).Distinct().ToArray(),
                connectFee = w.Tariff.ConnectFee,
            })));
}
