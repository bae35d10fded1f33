using System.Collections.Immutable;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Apis;

/// <summary>JSON shapes shared by the plans, rate-deck and rating endpoints (camelCase; money in reais as numbers).</summary>
public sealed record TariffSlotDto(int? FromSecond, decimal? PricePerMinute, int? IncrementSeconds);

public sealed record TariffDto(decimal? ConnectFee, List<TariffSlotDto?>? Slots, int? MinimumSeconds, int? FreeSeconds);

public sealed record PlanEntryDto(TariffDto? Tariff, string? RateDeckId, List<TariffWindowDto?>? Windows = null);

/// <summary>A tariff window: days (mon…sun, holiday), local "HH:mm" from (inclusive) and to (exclusive, "24:00" allowed).</summary>
public sealed record TariffWindowDto(List<string?>? Days, string? From, string? To, TariffDto? Tariff);

public sealed record TariffWindowResponse(IReadOnlyList<string> Days, string From, string To, Tariff Tariff);

public sealed record PlanEntryResponse(Tariff? Tariff, string? RateDeckId, IReadOnlyList<TariffWindowResponse>? Windows = null);

public sealed record PlanVersionResponse(int Version, DateTimeOffset ValidFrom, IReadOnlyDictionary<string, PlanEntryResponse> Entries);

public sealed record PlanResponse(string Id, string Name, int CurrentVersion, IReadOnlyList<PlanVersionResponse> Versions);

internal static partial class RatingJson
{
    /// <summary>The API name of a call type: <c>local_fixo</c>, <c>a_cobrar</c>… (same as the JSON enum converter).</summary>
    public static string Name(CallType type) => CallTypes.Wire(type);

    public static string AllNames => CallTypes.AllWireNames;

    public static bool TryParse(string name, out CallType type) => CallTypes.TryParse(name, out type);

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
            v.Entries.OrderBy(e => e.Key).ToDictionary(e => Name(e.Key),
                e => new PlanEntryResponse(e.Value.Tariff, e.Value.RateDeckId, WindowsOf(e.Value)), StringComparer.Ordinal)))
            .ToList());

    public static IReadOnlyList<TariffWindowResponse>? WindowsOf(PlanEntry entry) =>
        entry.Windows is { IsDefaultOrEmpty: false } windows
            ? [.. windows.Select(w => new TariffWindowResponse([.. w.Days.Select(TariffWindow.Name)], TariffWindow.Time(w.FromMinute), TariffWindow.Time(w.ToMinute), w.Tariff))]
            : null;

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
                if (dto.Windows is { Count: > 0 })
                    errors.Add($"{field}.windows", "Janelas de horário só valem para uma tarifa fixa (tariff), não para uma tabela de destinos.");
                result[type] = PlanEntry.Deck(deck);
                continue;
            }
            var tariff = ParseTariff(dto.Tariff!, $"{field}.tariff", errors);
            var windows = ParseWindows(dto.Windows, $"{field}.windows", errors);
            if (tariff is not null && windows is not null) result[type] = PlanEntry.Of(tariff, windows.Value);
        }
        return CountOf(errors) == before ? result.ToImmutable() : null;
    }

    /// <summary>
    /// The windows of an entry (empty when absent), or null with the errors named by field: each window's days, "HH:mm"
    /// times, tariff, and no two windows overlapping on a shared day.
    /// </summary>
    public static ImmutableArray<TariffWindow>? ParseWindows(List<TariffWindowDto?>? dtos, string field, FieldErrors errors)
    {
        if (dtos is null || dtos.Count == 0) return [];
        var before = CountOf(errors);
        var windows = new List<TariffWindow?>();
        for (var i = 0; i < dtos.Count; i++)
        {
            var f = $"{field}[{i}]";
            if (dtos[i] is not { } dto)
            {
                errors.Add(f, "Janela vazia.");
                windows.Add(null);
                continue;
            }
            var days = ImmutableArray.CreateBuilder<WindowDay>();
            if (dto.Days is null || dto.Days.Count == 0)
                errors.Add($"{f}.days", "Informe ao menos um dia: mon, tue, wed, thu, fri, sat, sun ou holiday.");
            else
            {
                for (var d = 0; d < dto.Days.Count; d++)
                {
                    if (TariffWindow.TryParseDay(dto.Days[d]?.Trim().ToLowerInvariant(), out var day)) days.Add(day);
                    else errors.Add($"{f}.days[{d}]", "Dia desconhecido: use mon, tue, wed, thu, fri, sat, sun ou holiday.");
                }
            }
            var from = TariffWindow.ParseTime(dto.From?.Trim(), allow24: false);
            if (from is null) errors.Add($"{f}.from", "Informe o início no formato HH:mm (00:00 a 23:59), hora local do circuito.");
            var to = TariffWindow.ParseTime(dto.To?.Trim(), allow24: true);
            if (to is null) errors.Add($"{f}.to", "Informe o fim no formato HH:mm (00:01 a 24:00, exclusivo), hora local do circuito.");
            Tariff? tariff = null;
            if (dto.Tariff is null) errors.Add($"{f}.tariff", "Informe a tarifa da janela (mesmo formato de tariff).");
            else tariff = ParseTariff(dto.Tariff, $"{f}.tariff", errors);
            windows.Add(from is { } a && to is { } b && tariff is not null && days.Count == (dto.Days?.Count ?? 0)
                ? new TariffWindow(days.ToImmutable(), a, b, tariff)
                : null);
        }
        if (CountOf(errors) > before) return null;
        foreach (var (f, message) in TariffWindow.Validate(windows, field)) errors.Add(f, message);
        return CountOf(errors) > before ? null : [.. windows.Select(w => w!)];
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
