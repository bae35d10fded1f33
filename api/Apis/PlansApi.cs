using System.Globalization;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Platform;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Billing.Api.Apis;

public sealed record PlanCreateRequest(string? Id, string? Name, DateTimeOffset? ValidFrom, Dictionary<string, PlanEntryDto?>? Entries);

public sealed record PlanUpdateRequest(string? Name, DateTimeOffset? ValidFrom, Dictionary<string, PlanEntryDto?>? Entries);

public sealed record PlanListItem(string Id, string Name, int Versions, int LatestVersion, DateTimeOffset LatestValidFrom, DateTimeOffset UpdatedAt);

/// <summary>
/// Tariff plans: <c>POST/GET /api/plans</c>, <c>GET/PUT /api/plans/{id}</c>. A PUT adds a new version in force
/// from its <c>validFrom</c>; calls are rated with the version in force when they started.
/// </summary>
public static class PlansApi
{
    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/plans").WithTags("Planos").RequireAuthorization(Policies.Admin);
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", AddVersion);
        return app;
    }

    private static async Task<Results<Created<PlanResponse>, ValidationProblem, ProblemHttpResult>> Create(
        PlanCreateRequest body, IClusterClient cluster, TimeProvider clock)
    {
        var errors = new FieldErrors();
        RatingJson.CheckId(body.Id, "id", errors);
        CheckName(body.Name, errors, required: true);
        CheckValidFrom(body.ValidFrom, clock, errors);
        var entries = RatingJson.ParseEntries(body.Entries, errors);
        if (entries is not null) await CheckDecks(entries, cluster, errors);
        if (errors.Any || entries is null) return errors.ToProblem();

        var id = body.Id;
        if (id is null)
        {
            do id = (await cluster.GetGrain<ISequenceGrain>("seq:plan").Next()).ToString(CultureInfo.InvariantCulture);
            while (await cluster.GetGrain<IPlanGrain>("plan:" + id).Get() is not null);
        }
        var grain = cluster.GetGrain<IPlanGrain>("plan:" + id);
        if (await grain.Get() is not null) return Problems.Conflict($"Já existe um plano com id '{id}'. Use PUT /api/plans/{id} para criar uma nova versão.");
        var plan = await grain.Create(body.Name!, body.ValidFrom ?? clock.GetUtcNow(), entries);
        return TypedResults.Created($"/api/plans/{Uri.EscapeDataString(plan.Id)}", RatingJson.ToResponse(plan));
    }

    private static async Task<Results<Ok<PlanResponse>, ValidationProblem, ProblemHttpResult>> AddVersion(
        string id, PlanUpdateRequest body, IClusterClient cluster, TimeProvider clock)
    {
        var grain = cluster.GetGrain<IPlanGrain>("plan:" + id);
        var current = await grain.Get();
        if (current is null) return Problems.NotFound($"O plano '{id}' não existe.");

        var errors = new FieldErrors();
        CheckName(body.Name, errors, required: false);
        CheckValidFrom(body.ValidFrom, clock, errors);
        if (body.ValidFrom is null) errors.Add("validFrom", "Informe a partir de quando a nova versão vale (ISO 8601, ex.: 2026-12-01T00:00:00-03:00).");
        else if (current.Latest is { } latest && body.ValidFrom <= latest.ValidFrom)
            errors.Add("validFrom", $"Deve ser posterior ao início da versão {latest.Version} ({latest.ValidFrom.ToString("O", CultureInfo.InvariantCulture)}).");
        var entries = RatingJson.ParseEntries(body.Entries, errors);
        if (entries is not null) await CheckDecks(entries, cluster, errors);
        if (errors.Any || entries is null) return errors.ToProblem();

        try
        {
            var plan = await grain.AddVersion(body.Name, body.ValidFrom!.Value, entries);
            return TypedResults.Ok(RatingJson.ToResponse(plan));
        }
        catch (ArgumentException e)
        {
            return Problems.Field("validFrom", e.Message);
        }
    }

    private static async Task<Results<Ok<PlanResponse>, ProblemHttpResult>> Get(string id, IClusterClient cluster)
    {
        var plan = await cluster.GetGrain<IPlanGrain>("plan:" + id).Get();
        return plan is null ? Problems.NotFound($"O plano '{id}' não existe.") : TypedResults.Ok(RatingJson.ToResponse(plan));
    }

    private static async Task<Results<Ok<PagedResult<PlanListItem>>, ValidationProblem>> List(NpgsqlDataSource db, int? page, int? pageSize)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (errors.Any) return errors.ToProblem();

        long total;
        await using (var count = db.CreateCommand("SELECT count(*) FROM plans"))
            total = (long)(await count.ExecuteScalarAsync())!;
        var items = new List<PlanListItem>();
        await using var cmd = db.CreateCommand(
            "SELECT id, name, versions, latest_version, latest_valid_from, updated_at FROM plans ORDER BY id LIMIT @limit OFFSET @offset");
        cmd.Parameters.AddWithValue("limit", size);
        cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            items.Add(new PlanListItem(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3),
                r.GetFieldValue<DateTimeOffset>(4), r.GetFieldValue<DateTimeOffset>(5)));
        return TypedResults.Ok(Paging.Of<PlanListItem>(items, p, size, total));
    }

    /// <summary>A version's start within the sane window around now (<see cref="InputRules.Moment"/>): past 10 years, next 5.</summary>
    private static void CheckValidFrom(DateTimeOffset? validFrom, TimeProvider clock, FieldErrors errors)
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

    private static async Task CheckDecks(IReadOnlyDictionary<CallType, PlanEntry> entries, IClusterClient cluster, FieldErrors errors)
    {
        foreach (var (type, entry) in entries)
        {
            if (entry.RateDeckId is not { } deck) continue;
            if (await cluster.GetGrain<IRateDeckGrain>("deck:" + deck).GetInfo() is null)
                errors.Add($"entries.{RatingJson.Name(type)}.rateDeckId", $"A tabela de destinos '{deck}' não existe; importe-a antes em POST /api/rate-decks.");
        }
    }
}
