using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Apis;

/// <summary>POST body: one <c>number</c> or a list of <c>numbers</c>.</summary>
public sealed record BlacklistBody(string? Number, IReadOnlyList<string>? Numbers);

/// <summary>
/// <c>/api/circuits/{account}/blacklist</c>: callers refused on the circuit's inbound calls while its
/// <c>blacklist</c> flag is on. Numbers are normalized to E.164 from the circuit's DDD; duplicates ignored;
/// any invalid number → 400 and nothing is added. The portal reuses these for the customer's own circuit.
/// </summary>
public static class BlacklistApi
{
    public static IEndpointRouteBuilder MapBlacklistApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/circuits/{account}/blacklist").WithTags("Circuitos").RequireAuthorization(Policies.Admin);
        group.MapGet("/", Get);
        group.MapPost("/", Add);
        group.MapDelete("/", Remove);
        group.MapDelete("/{number}", RemoveOne);
        return app;
    }

    private static IResult NotFound(string account) => Problems.NotFound($"Circuito {account} não encontrado.");

    private static async Task<IResult> Get(string account, IClusterClient grains)
    {
        if (!CircuitKeys.IsValidAccount(account)) return NotFound(account);
        var list = await grains.Circuit(account).GetBlacklist();
        return list is null ? NotFound(account) : TypedResults.Ok(new { account, numbers = list });
    }

    private static async Task<IResult> Add(string account, BlacklistBody body, IClusterClient grains, HttpContext http)
    {
        if (!CircuitKeys.IsValidAccount(account)) return NotFound(account);
        var numbers = new List<string>();
        if (body.Number is not null) numbers.Add(body.Number);
        if (body.Numbers is not null) numbers.AddRange(body.Numbers);
        if (numbers.Count == 0) return Problems.Field("numbers", "Informe 'number' ou 'numbers'.");
        if (numbers.Count > 1000) return Problems.Field("numbers", "No máximo 1000 números por vez.");
        if (numbers.Any(n => n is null || n.Length > 40)) return Problems.Field("numbers", "Número inválido.");
        var r = await grains.Circuit(account).AddToBlacklist(numbers, CommandResults.Actor(http));
        return r.Result.IsOk ? TypedResults.Ok(new { account, added = r.Added, numbers = r.Numbers }) : CommandResults.ToProblem(r.Result);
    }

    private static Task<IResult> Remove(string account, string? number, IClusterClient grains, HttpContext http) =>
        RemoveOne(account, number ?? "", grains, http);

    private static async Task<IResult> RemoveOne(string account, string number, IClusterClient grains, HttpContext http)
    {
        if (!CircuitKeys.IsValidAccount(account)) return NotFound(account);
        if (string.IsNullOrWhiteSpace(number) || number.Length > 40) return Problems.Field("number", "Informe o número a remover (?number=…).");
        var r = await grains.Circuit(account).RemoveFromBlacklist(number, CommandResults.Actor(http));
        return r.Result.Status == CommandStatus.Ok ? TypedResults.Ok(new { account, numbers = r.Numbers }) : CommandResults.ToProblem(r.Result);
    }
}
