using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Rating;
using Microsoft.Extensions.Options;

namespace Billing.Api.Application;

/// <summary>
/// Tariff plans' commands and the rating preview, shared by <c>/api/plans</c>, <c>/api/rating/preview</c> and the
/// admin pages (<c>/admin/planos</c>): validates first (the plan grain checks again), then the grain call. Answers
/// <see cref="CommandResult{T}"/>; the REST handlers map it to HTTP (<see cref="CommandResults"/>), a page to field
/// errors next to its fields.
/// </summary>
/// <summary>A previewed rating with the instant and time zone it was rated for.</summary>
public sealed record RatingPreview(CallRating Rating, DateTimeOffset At, string TimeZone);

public sealed class PlanService(IClusterClient grains, TimeProvider clock, IOptions<CallLimits> limits)
{
    public Task<Plan?> Get(string id) => grains.GetGrain<IPlanGrain>("plan:" + id).Get();

    /// <summary>Creates a plan with its first version; without an id, the next free number of the plan sequence.</summary>
    public async Task<CommandResult<Plan>> Create(PlanCreateRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new FieldErrors();
        RatingJson.CheckId(body.Id, "id", errors);
        CheckName(body.Name, errors, required: true);
        CheckValidFrom(body.ValidFrom, errors);
        var entries = RatingJson.ParseEntries(body.Entries, errors);
        if (entries is not null) await CheckDecks(entries, errors);
        if (errors.Any || entries is null) return errors.Invalid<Plan>();

        var id = body.Id;
        if (id is null)
        {
            do id = (await grains.GetGrain<ISequenceGrain>("seq:plan").Next()).ToString(CultureInfo.InvariantCulture);
            while (await Get(id) is not null);
        }
        var grain = grains.GetGrain<IPlanGrain>("plan:" + id);
        if (await grain.Get() is not null)
            return CommandResult<Plan>.Conflict($"Já existe um plano com id '{id}'. Use PUT /api/plans/{id} para criar uma nova versão.");
        return CommandResult<Plan>.Ok(await grain.Create(body.Name!, body.ValidFrom ?? clock.GetUtcNow(), entries));
    }

    /// <summary>Adds a version in force from <c>validFrom</c>, which must be later than the latest version's.</summary>
    public async Task<CommandResult<Plan>> AddVersion(string id, PlanUpdateRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var grain = grains.GetGrain<IPlanGrain>("plan:" + id);
        var current = await grain.Get();
        if (current is null) return CommandResult<Plan>.NotFound($"O plano '{id}' não existe.");

        var errors = new FieldErrors();
        CheckName(body.Name, errors, required: false);
        CheckValidFrom(body.ValidFrom, errors);
        if (body.ValidFrom is null) errors.Add("validFrom", "Informe a partir de quando a nova versão vale (ISO 8601, ex.: 2026-12-01T00:00:00-03:00).");
        else if (current.Latest is { } latest && body.ValidFrom <= latest.ValidFrom)
            errors.Add("validFrom", $"Deve ser posterior ao início da versão {latest.Version} ({latest.ValidFrom.ToString("O", CultureInfo.InvariantCulture)}).");
        var entries = RatingJson.ParseEntries(body.Entries, errors);
        if (entries is not null) await CheckDecks(entries, errors);
        if (errors.Any || entries is null) return errors.Invalid<Plan>();

        try
        {
            return CommandResult<Plan>.Ok(await grain.AddVersion(body.Name, body.ValidFrom!.Value, entries));
        }
        catch (ArgumentException e)
        {
            return CommandResult<Plan>.Invalid("validFrom", e.Message);
        }
    }

    /// <summary>
    /// How a call would be classified and charged by a plan: Invalid when the request misses a field; otherwise the
    /// plan grain's <see cref="CallRating"/>, which may itself be a refusal (<see cref="CallRating.Error"/>).
    /// </summary>
    public async Task<CommandResult<RatingPreview>> Preview(RatingPreviewRequest body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var maxDuration = limits.Value.MaxDurationSeconds;
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(body.PlanId)) errors.Add("planId", "Informe o plano.");
        if (string.IsNullOrWhiteSpace(body.AreaCode)) errors.Add("areaCode", "Informe o DDD do circuito (2 dígitos).");
        if (string.IsNullOrWhiteSpace(body.Destination)) errors.Add("destination", "Informe o número discado.");
        if (body.DurationSeconds is null) errors.Add("durationSeconds", "Informe a duração em segundos.");
        else if (body.DurationSeconds is < 0 || body.DurationSeconds > maxDuration)
            errors.Add("durationSeconds", $"A duração vai de 0 a {maxDuration} segundos.");
        var timeZone = string.IsNullOrWhiteSpace(body.TimeZone) ? CircuitData.DefaultTimeZone : body.TimeZone.Trim();
        if (!TimeZones.IsKnown(timeZone))
            errors.Add("timeZone", "Fuso horário desconhecido: use um nome IANA, ex.: America/Sao_Paulo, America/Manaus, America/Noronha.");
        if (body.Uf is not null && Billing.GrainInterfaces.Registration.Uf.Normalize(body.Uf) is null)
            errors.Add("uf", "UF desconhecida: use uma das 27 siglas (ex.: SP, RJ, DF) ou omita.");
        if (errors.Any) return errors.Invalid<RatingPreview>();

        var at = body.At ?? clock.GetUtcNow();
        var rating = await grains.GetGrain<IPlanGrain>("plan:" + body.PlanId!.Trim())
            .RateIn(body.AreaCode!.Trim(), body.Destination!, body.DurationSeconds!.Value, at, timeZone,
                Billing.GrainInterfaces.Registration.Uf.Normalize(body.Uf));
        return CommandResult<RatingPreview>.Ok(new RatingPreview(rating, at, timeZone));
    }

    /// <summary>The answer of <c>POST /api/rating/preview</c> for a rating that succeeded.</summary>
    public static RatingPreviewResponse ToResponse(RatingPreview preview, int durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var rating = preview.Rating;
        if (rating is not { Ok: true, Classification: { } c, Rated: { } rated, Tariff: { } tariff })
            throw new ArgumentException("A tarifação falhou: não há resposta de prévia.", nameof(preview));
        return new RatingPreviewResponse(
            rating.PlanId!, rating.PlanVersion!.Value, c.CallType, c.MobileArea, c.NormalizedNumber, c.DestinationDdd,
            c.CountryCode, c.Csp, durationSeconds, rated.BilledSeconds, rated.Cost, tariff,
            rating.DeckMatch is { } m ? new RateDeckMatchResponse(m.RateDeckId, m.Version, m.Prefix, m.Destination) : null,
            preview.At, preview.TimeZone,
            rating.Windows is { IsDefaultOrEmpty: false } ? RatingJson.WindowsOf(new PlanEntry(tariff, null, rating.Windows)) : null,
            rating.Parts is { IsDefaultOrEmpty: false } parts
                ? [.. parts.Select(p => new RatingPartResponse(p.Window, p.Label, p.StartsAt, p.FromSecond, p.BilledSeconds, p.Cost))]
                : []);
    }

    /// <summary>The request field a rating refusal is about (destination, DDD, plan), or null when it is about the plan's content.</summary>
    public static string? FieldOf(CallRating rating)
    {
        ArgumentNullException.ThrowIfNull(rating);
        return rating.Error switch
        {
            CallRating.InvalidDestination => "destination",
            CallRating.InvalidAreaCode => "areaCode",
            CallRating.UnknownPlan => "planId",
            _ => null,
        };
    }

    /// <summary>A version's start within the sane window around now (<see cref="InputRules.Moment"/>): past 10 years, next 5.</summary>
    private void CheckValidFrom(DateTimeOffset? validFrom, FieldErrors errors)
    {
        if (validFrom is { } v && InputRules.Moment(v, clock.GetUtcNow(), InputRules.PastYears * 366, InputRules.FutureYears * 366) is { } bad)
            errors.Add("validFrom", bad);
    }

    private static void CheckName(string? name, FieldErrors errors, bool required)
    {
        if (name is null)
        {
            if (required) errors.Add("name", "Informe o nome do plano.");
            return;
        }
        if (string.IsNullOrWhiteSpace(name)) errors.Add("name", "O nome do plano não pode ser vazio.");
        else if (name.Length > 200) errors.Add("name", "O nome do plano tem no máximo 200 caracteres.");
        else if (InputRules.Text(name, 200) is { } bad) errors.Add("name", bad);
    }

    private async Task CheckDecks(IReadOnlyDictionary<CallType, PlanEntry> entries, FieldErrors errors)
    {
        foreach (var (type, entry) in entries)
        {
            if (entry.RateDeckId is not { } deck) continue;
            if (await grains.GetGrain<IRateDeckGrain>("deck:" + deck).GetInfo() is null)
                errors.Add($"entries.{RatingJson.Name(type)}.rateDeckId", $"A tabela de destinos '{deck}' não existe; importe-a antes em POST /api/rate-decks.");
        }
    }
}
