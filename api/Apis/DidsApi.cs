using System.Globalization;
using System.Text;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Dids;
using Billing.GrainInterfaces.Resellers;
using Npgsql;

namespace Billing.Api.Apis;

/// <summary>POST /api/dids: one <c>number</c>, a list of <c>numbers</c>, or a <c>range {from, to}</c>.</summary>
public sealed record DidCreateBody(string? Number, IReadOnlyList<string>? Numbers, DidRangeBody? Range, long? ResellerId, decimal? MonthlyFee);

public sealed record DidRangeBody(string? From, string? To);

public sealed record DidCreateResult(int Created, IReadOnlyList<string> Numbers, IReadOnlyList<string> Duplicates);

public sealed record DidAssignBody(string? Account, long? ResellerId, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo, decimal? MonthlyFee);

public sealed record SigameBody(bool? Enabled, string? Destination);

public sealed record DidSettingsBody(SigameBody? Sigame, bool? AcceptsCollect);

public sealed record DidListItem(
    string Number, long? ResellerId, string? ResellerName, string? Account, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveTo,
    decimal? MonthlyFee, bool Active, bool SigameEnabled, string? SigameDestination, bool AcceptsCollect);


/// <summary>
/// <c>/api/dids</c>: the DID inventory (E.164). Create (single, list, range) writes the <c>dids</c> rows in one
/// statement; assign, release and routing settings go through the Did grain <c>did:&lt;e164&gt;</c>.
/// </summary>
public static class DidsApi
{
    public const int MaxCreate = 10_000;

    public static IEndpointRouteBuilder MapDidsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dids").WithTags("DIDs").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{number}", Get);
        group.MapGet("/{number}/history", History);
        group.MapPost("/{number}/assign", Assign);
        group.MapPost("/{number}/release", Release);
        group.MapPut("/{number}/settings", Settings);
        return app;
    }

    private static IResult BadNumber(string field) => Problems.Field(field, "Número inválido: use E.164 (+5511…) ou DDD + número.");

    private static IResult ToResult(GrainInterfaces.Common.CommandResult r, Func<IResult> ok) => r.IsOk ? ok() : CommandResults.ToProblem(r);

    private static async Task<IResult> Create(DidCreateBody body, IClusterClient grains, HttpContext http)
    {
        var numbers = new List<string>();
        var errors = new FieldErrors();
        var forms = (body.Number is null ? 0 : 1) + (body.Numbers is null ? 0 : 1) + (body.Range is null ? 0 : 1);
        if (forms != 1) return Problems.Field("number", "Informe exatamente um de: number, numbers ou range.");
        if (body.Number is not null)
        {
            if (DidNumbers.Normalize(body.Number) is { } n) numbers.Add(n);
            else errors.Add("number", "Número inválido: use E.164 (+5511…) ou DDD + número.");
        }
        if (body.Numbers is not null)
        {
            if (body.Numbers.Count is 0 or > MaxCreate) errors.Add("numbers", $"Informe de 1 a {MaxCreate} números.");
            for (var i = 0; i < body.Numbers.Count; i++)
            {
                if (DidNumbers.Normalize(body.Numbers[i]) is { } n) numbers.Add(n);
                else errors.Add(string.Create(CultureInfo.InvariantCulture, $"numbers[{i}]"), $"Número inválido: '{body.Numbers[i]}'.");
            }
        }
        if (body.Range is not null)
        {
            var list = DidNumbers.Range(body.Range.From ?? "", body.Range.To ?? "", MaxCreate, out var error);
            if (list is null) errors.Add("range", error!);
            else numbers.AddRange(list);
        }
        if (body.MonthlyFee is { } fee && (fee < 0 || fee > 1_000_000m || !Money.HasAtMostTwoDecimals(fee)))
            errors.Add("monthlyFee", "Mensalidade inválida (até 2 casas decimais).");
        if (body.ResellerId is { } rid && await grains.Reseller(rid).Get() is null) errors.Add("resellerId", "Revenda não encontrada.");
        if (errors.Any) return errors.ToProblem();

        var unique = numbers.Distinct(StringComparer.Ordinal).ToArray();
        var created = (await grains.GetGrain<IDidInventoryGrain>(IDidInventoryGrain.Key)
            .Create(unique, body.ResellerId, body.MonthlyFee, CommandResults.Actor(http))).ToList();
        created.Sort(StringComparer.Ordinal);
        var duplicates = unique.Except(created, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var result = new DidCreateResult(created.Count, created, duplicates);
        return created.Count == 0 ? Problems.Conflict("Todos os números informados já estão cadastrados.") : TypedResults.Created("/api/dids", result);
    }

    private static async Task<IResult> Get(string number, IClusterClient grains, TimeProvider clock)
    {
        if (DidNumbers.Normalize(number) is not { } n) return BadNumber("number");
        var v = await grains.Did(n).Get();
        return v is null ? Problems.NotFound($"DID {n} não cadastrado.") : TypedResults.Ok(new { did = v, active = v.IsActive(clock.GetUtcNow()) });
    }

    private static async Task<IResult> History(string number, NpgsqlDataSource db, CancellationToken ct)
    {
        if (DidNumbers.Normalize(number) is not { } n) return BadNumber("number");
        await using var cmd = db.CreateCommand(
            """
            SELECT reseller_id, account, monthly_fee, active_from, active_to, assigned_by, released_by
            FROM did_assignments WHERE number = @n ORDER BY active_from, id
            """);
        cmd.Parameters.AddWithValue("n", n);
        var list = new List<object>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new
            {
                resellerId = r.IsDBNull(0) ? (long?)null : r.GetInt64(0),
                account = r.GetString(1),
                monthlyFee = r.GetDecimal(2),
                activeFrom = r.GetFieldValue<DateTimeOffset>(3),
                activeTo = r.IsDBNull(4) ? (DateTimeOffset?)null : r.GetFieldValue<DateTimeOffset>(4),
                assignedBy = r.GetString(5),
                releasedBy = r.IsDBNull(6) ? null : r.GetString(6),
            });
        return TypedResults.Ok(new { number = n, assignments = list });
    }

    private static async Task<IResult> Assign(string number, DidAssignBody body, IClusterClient grains, TimeProvider clock, HttpContext http)
    {
        if (DidNumbers.Normalize(number) is not { } n) return BadNumber("number");
        if (string.IsNullOrWhiteSpace(body.Account)) return Problems.Field("account", "Informe o circuito dono do DID.");
        if (!CircuitKeys.IsValidAccount(body.Account.Trim())) return Problems.Field("account", "Número de circuito inválido (1 a 20 dígitos).");
        var now = clock.GetUtcNow();
        var window = new FieldErrors();
        if (body.ActiveFrom is { } from && InputRules.Moment(from, now, InputRules.PastYears * 366, InputRules.FutureYears * 366) is { } badFrom)
            window.Add("activeFrom", badFrom);
        if (body.ActiveTo is { } to && InputRules.Moment(to, now, InputRules.PastYears * 366, 50 * 366) is { } badTo) window.Add("activeTo", badTo);
        if (body.MonthlyFee is { } fee && Money.Problem(fee) is { } badFee) window.Add("monthlyFee", badFee);
        if (window.Any) return window.ToProblem();
        var grain = grains.Did(n);
        var r = await grain.Assign(new DidAssignment(body.Account.Trim(), body.ResellerId, body.ActiveFrom, body.ActiveTo, body.MonthlyFee),
            CommandResults.Actor(http));
        return r.IsOk ? TypedResults.Ok(await grain.Get()) : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> Release(string number, IClusterClient grains, HttpContext http)
    {
        if (DidNumbers.Normalize(number) is not { } n) return BadNumber("number");
        var grain = grains.Did(n);
        var r = await grain.Release(CommandResults.Actor(http));
        return r.IsOk ? TypedResults.Ok(await grain.Get()) : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> Settings(string number, DidSettingsBody body, IClusterClient grains, HttpContext http)
    {
        if (DidNumbers.Normalize(number) is not { } n) return BadNumber("number");
        var grain = grains.Did(n);
        var current = await grain.Get();
        if (current is null) return Problems.NotFound($"DID {n} não cadastrado.");
        // fields left out keep their value
        var sigame = new SigameSettings(body.Sigame?.Enabled ?? current.Sigame.Enabled,
            body.Sigame is null ? current.Sigame.Destination : body.Sigame.Destination);
        var r = await grain.UpdateSettings(new DidSettings(sigame, body.AcceptsCollect ?? current.AcceptsCollect), CommandResults.Actor(http));
        return r.IsOk ? TypedResults.Ok(await grain.Get()) : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> List(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct,
        string? search = null, long? resellerId = null, string? account = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (search is { Length: > 40 }) errors.Add("search", "Busca com no máximo 40 caracteres.");
        if (account is not null && !CircuitKeys.IsValidAccount(account)) errors.Add("account", "Circuito inválido.");
        if (errors.Any) return errors.ToProblem();
        var digits = new string((search ?? "").Where(char.IsAsciiDigit).ToArray());
        var where = new StringBuilder("true");
        if (digits.Length > 0) where.Append(" AND d.number LIKE @q");
        if (resellerId is not null) where.Append(" AND d.reseller_id = @r");
        if (account is not null) where.Append(" AND d.account = @a");
        void Bind(NpgsqlCommand cmd)
        {
            if (digits.Length > 0) cmd.Parameters.AddWithValue("q", "%" + digits + "%");
            if (resellerId is not null) cmd.Parameters.AddWithValue("r", resellerId.Value);
            if (account is not null) cmd.Parameters.AddWithValue("a", account);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM dids d WHERE {where}", conn))
        {
            Bind(count);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var now = clock.GetUtcNow();
        var items = new List<DidListItem>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT d.number, d.reseller_id, r.nome, d.account, d.active_from, d.active_to, d.monthly_fee,
                   d.sigame_enabled, d.sigame_destination, d.accepts_collect
            FROM dids d LEFT JOIN resellers r ON r.id = d.reseller_id
            WHERE {where} ORDER BY d.number LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                DateTimeOffset? T(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
                var acc = r.IsDBNull(3) ? null : r.GetString(3);
                var from = T(4);
                var to = T(5);
                items.Add(new DidListItem(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2),
                    acc, from, to, r.IsDBNull(6) ? null : r.GetDecimal(6),
                    acc is not null && from <= now && (to is null || to > now),
                    r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetBoolean(9)));
            }
        }
        return TypedResults.Ok(Paging.Of(items, p, size, total));
    }
}
