using System.Collections.Immutable;
using System.Text.Json;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Apis;

/// <summary>JSON shapes shared by the plans, rate-deck and rating endpoints (camelCase; money in reais as numbers).</summary>
public sealed record TariffSlotDto(int? FromSecond, decimal? PricePerMinute, int? IncrementSeconds);

public sealed record TariffDto(decimal? ConnectFee, List<TariffSlotDto?>? Slots, int? MinimumSeconds, int? FreeSeconds);

public sealed record PlanEntryDto(TariffDto? Tariff, string? RateDeckId);

public sealed record PlanEntryResponse(Tariff? Tariff, string? RateDeckId);

public sealed record PlanVersionResponse(int Version, DateTimeOffset ValidFrom, IReadOnlyDictionary<string, PlanEntryResponse> Entries);

public sealed record PlanResponse(string Id, string Name, int CurrentVersion, IReadOnlyList<PlanVersionResponse> Versions);

internal static partial class RatingJson
{
    /// <summary>The API name of a call type: <c>local_fixo</c>, <c>a_cobrar</c>… (same as the JSON enum converter).</summary>
    public static string Name(CallType type) => JsonNamingPolicy.SnakeCaseLower.ConvertName(type.ToString());

    private static readonly Dictionary<string, CallType> ByName =
        Enum.GetValues<CallType>().ToDictionary(Name, t => t, StringComparer.Ordinal);

    public static string AllNames => string.Join(", ", ByName.Keys);

    public static bool TryParse(string name, out CallType type) => ByName.TryGetValue(name, out type);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    public static partial System.Text.RegularExpressions.Regex IdPattern();

    private static int CountOf(FieldErrors errors) => errors.ToDictionary().Sum(kv => kv.Value.Length);

    public static void CheckId(string? id, string field, FieldErrors errors)
    {
        if (id is not null && !IdPattern().IsMatch(id))
            errors.Add(field, "Use de 1 a 64 letras, dígitos, '-', '_' ou '.', começando por letra ou dígito.");
    }

    public static PlanResponse ToResponse(Plan plan) => new(
        plan.Id,
        plan.Name,
        plan.Latest?.Version ?? 0,
        plan.Versions.Select(v => new PlanVersionResponse(
            v.Version,
            v.ValidFrom,
            v.Entries.OrderBy(e => e.Key).ToDictionary(e => Name(e.Key), e => new PlanEntryResponse(e.Value.Tariff, e.Value.RateDeckId), StringComparer.Ordinal)))
            .ToList());

    /// <summary>Validates the entries of a plan body; returns them when every one is valid.</summary>
    public static ImmutableDictionary<CallType, PlanEntry>? ParseEntries(Dictionary<string, PlanEntryDto?>? entries, FieldErrors errors)
    {
        if (entries is null || entries.Count == 0)
        {
            errors.Add("entries", "Informe ao menos um tipo de chamada com sua tarifa ou tabela de destinos.");
            return null;
        }
        var result = ImmutableDictionary.CreateBuilder<CallType, PlanEntry>();
        var before = CountOf(errors);
        foreach (var (key, dto) in entries)
        {
            var field = $"entries.{key}";
            if (!TryParse(key, out var type))
            {
                errors.Add(field, $"Tipo de chamada desconhecido. Use: {AllNames}.");
                continue;
            }
            if (dto is null || (dto.Tariff is null) == string.IsNullOrWhiteSpace(dto.RateDeckId))
            {
                errors.Add(field, "Informe uma tarifa (tariff) ou uma tabela de destinos (rateDeckId), não os dois.");
                continue;
            }
            if (dto.RateDeckId is { } deck)
            {
                CheckId(deck, $"{field}.rateDeckId", errors);
                result[type] = PlanEntry.Deck(deck);
                continue;
            }
            var tariff = ParseTariff(dto.Tariff!, $"{field}.tariff", errors);
            if (tariff is not null) result[type] = PlanEntry.Of(tariff);
        }
        return CountOf(errors) == before ? result.ToImmutable() : null;
    }

    public static Tariff? ParseTariff(TariffDto dto, string field, FieldErrors errors)
    {
        var before = CountOf(errors);
        if (dto.Slots is null || dto.Slots.Count == 0)
        {
            errors.Add($"{field}.slots", "Informe ao menos uma faixa: [{ fromSecond, pricePerMinute, incrementSeconds }].");
            return null;
        }
        var slots = ImmutableArray.CreateBuilder<TariffSlot>();
        for (var i = 0; i < dto.Slots.Count; i++)
        {
            var s = dto.Slots[i];
            var f = $"{field}.slots[{i}]";
            if (s is null)
            {
                errors.Add(f, "Faixa vazia.");
                continue;
            }
            if (s.FromSecond is null) errors.Add($"{f}.fromSecond", "Campo obrigatório.");
            if (s.PricePerMinute is null) errors.Add($"{f}.pricePerMinute", "Campo obrigatório.");
            if (s.IncrementSeconds is null) errors.Add($"{f}.incrementSeconds", "Campo obrigatório.");
            if (s.FromSecond is { } from && s.PricePerMinute is { } price && s.IncrementSeconds is { } inc)
                slots.Add(new TariffSlot(from, price, inc));
        }
        if (CountOf(errors) > before) return null;
        var tariff = new Tariff(dto.ConnectFee ?? 0m, slots.ToImmutable(), dto.MinimumSeconds ?? 0, dto.FreeSeconds ?? 0);
        foreach (var (f, message) in tariff.Validate(field)) errors.Add(f, message);
        return CountOf(errors) > before ? null : tariff;
    }
}
