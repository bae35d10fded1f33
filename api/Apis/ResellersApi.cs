using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Resellers;
using Npgsql;

namespace Billing.Api.Apis;

public sealed record ResellerContactBody(string? Nome, string? Email = null, string? Telefone = null, string? Cargo = null);

/// <summary>Body of POST/PUT <c>/api/resellers</c> (PUT replaces every field, contacts included).</summary>
public sealed record ResellerRequest(
    string? Nome,
    string? Documento,
    string? Email = null,
    string? Telefone = null,
    string? Observacoes = null,
    IReadOnlyList<ResellerContactBody>? Contatos = null,
    decimal? DidMonthlyFee = null,
    decimal? CompletionPricePerMinute = null)
{
    public ResellerData ToData() => new()
    {
        Nome = Nome ?? "",
        Documento = Documento ?? "",
        Email = Email,
        Telefone = Telefone,
        Observacoes = Observacoes,
        Contatos = (Contatos ?? []).Select(c => new ResellerContact { Nome = c?.Nome ?? "", Email = c?.Email, Telefone = c?.Telefone, Cargo = c?.Cargo })
            .ToImmutableArray(),
        DidMonthlyFee = DidMonthlyFee ?? 0m,
        CompletionPricePerMinute = CompletionPricePerMinute ?? 0m,
    };
}

public sealed record ResellerResponse(
    long Id, string Nome, string Documento, string TipoPessoa, string? Email, string? Telefone, string? Observacoes,
    IReadOnlyList<ResellerContact> Contatos, decimal DidMonthlyFee, decimal CompletionPricePerMinute,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ResellerResponse From(ResellerView v)
    {
        var d = v.Data;
        return new(v.Id, d.Nome, TaxId.Format(d.Documento), TaxId.TipoPessoa(d.Documento), d.Email, d.Telefone, d.Observacoes,
            d.Contatos.IsDefault ? [] : d.Contatos, d.DidMonthlyFee, d.CompletionPricePerMinute, v.CreatedAt, v.UpdatedAt);
    }
}

public sealed record ResellerListItem(
    long Id, string Nome, string Documento, string TipoPessoa, string? Email, string? Telefone, int TotalContatos,
    decimal DidMonthlyFee, decimal CompletionPricePerMinute, long DidsInService, long Customers, DateTimeOffset CreatedAt);

public sealed record ResellerCustomerBody(long? CustomerId);

/// <summary>
/// <c>/api/resellers</c>: resellers ("revendas") with contacts and DID tariffs; their customers (a customer and
/// all its circuits belong to at most one reseller: <c>customers.reseller_id</c>); live totals.
/// Writes go to the Reseller grain <c>rev:&lt;id&gt;</c>; list and search read the <c>resellers</c> table.
/// </summary>
public static class ResellersApi
{
    public static IEndpointRouteBuilder MapResellersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/resellers").WithTags("Revendas").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{id:long}", Get);
        group.MapPut("/{id:long}", Update);
        group.MapDelete("/{id:long}", Delete);
        group.MapGet("/{id:long}/totals", Totals);
        group.MapGet("/{id:long}/customers", Customers);
        group.MapPost("/{id:long}/customers", LinkCustomer);
        group.MapDelete("/{id:long}/customers/{customerId:long}", UnlinkCustomer);
        return app;
    }

    private static IResult NotFound(long id) =>
        Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Revenda {id} não encontrada."));

    private static IResult? Validate(ResellerRequest body, out ResellerData data)
    {
        var errors = ResellerRules.Validate(body.ToData(), out data);
        if (errors.Count == 0) return null;
        var fe = new FieldErrors();
        foreach (var e in errors) fe.Add(e.Field, e.Message);
        return fe.ToProblem();
    }

    private static async Task<IResult> Create(ResellerRequest body, HttpContext http, IClusterClient grains)
    {
        if (Validate(body, out var data) is { } problem) return problem;
        var id = await grains.NextId(IdSequences.Resellers);
        var grain = grains.Reseller(id);
        var r = await grain.Create(data, CommandResults.Actor(http));
        if (!r.IsOk) return CommandResults.ToProblem(r);
        return TypedResults.Created(string.Create(CultureInfo.InvariantCulture, $"/api/resellers/{id}"), ResellerResponse.From((await grain.Get())!));
    }

    private static async Task<IResult> Get(long id, IClusterClient grains) =>
        await grains.Reseller(id).Get() is { } v ? TypedResults.Ok(ResellerResponse.From(v)) : NotFound(id);

    private static async Task<IResult> Update(long id, ResellerRequest body, HttpContext http, IClusterClient grains)
    {
        if (Validate(body, out var data) is { } problem) return problem;
        var grain = grains.Reseller(id);
        var r = await grain.Update(data, CommandResults.Actor(http));
        if (!r.IsOk) return CommandResults.ToProblem(r);
        return TypedResults.Ok(ResellerResponse.From((await grain.Get())!));
    }

    private static async Task<IResult> Delete(long id, HttpContext http, IClusterClient grains)
    {
        var r = await grains.Reseller(id).Delete(CommandResults.Actor(http));
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> Totals(long id, IClusterClient grains) =>
        await grains.Reseller(id).GetTotals() is { } t ? TypedResults.Ok(t) : NotFound(id);

    private static async Task<IResult> List(NpgsqlDataSource db, CancellationToken ct, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (search is { Length: > 200 }) errors.Add("search", "Busca com no máximo 200 caracteres.");
        if (errors.Any) return errors.ToProblem();
        var where = new StringBuilder("r.deleted_at IS NULL");
        var key = CustomerRules.SearchKey(search);
        var doc = key.Length > 0 && key.Any(char.IsAsciiDigit) ? TaxId.Normalize(search)?.ToLowerInvariant() : null;
        if (key.Length > 0) where.Append(doc is { Length: > 0 } ? " AND (r.busca LIKE @q OR lower(r.documento) LIKE @d)" : " AND r.busca LIKE @q");
        void Bind(NpgsqlCommand cmd)
        {
            if (key.Length > 0) cmd.Parameters.AddWithValue("q", "%" + CustomerQueries.EscapeLike(key) + "%");
            if (key.Length > 0 && doc is { Length: > 0 }) cmd.Parameters.AddWithValue("d", "%" + CustomerQueries.EscapeLike(doc) + "%");
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM resellers r WHERE {where}", conn))
        {
            Bind(count);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<ResellerListItem>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT r.id, r.nome, r.documento, r.tipo_pessoa, r.email, r.telefone, jsonb_array_length(r.contatos),
                   r.did_monthly_fee, r.completion_price,
                   (SELECT count(*) FROM dids d WHERE d.reseller_id = r.id AND d.account IS NOT NULL),
                   (SELECT count(*) FROM customers c WHERE c.reseller_id = r.id AND c.deleted_at IS NULL),
                   r.created_at
            FROM resellers r WHERE {where}
            ORDER BY r.nome_busca, r.id
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            Bind(cmd);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
                items.Add(new ResellerListItem(r.GetInt64(0), r.GetString(1), TaxId.Format(r.GetString(2)), r.GetString(3).Trim(),
                    S(4), S(5), r.GetInt32(6), r.GetDecimal(7), r.GetDecimal(8), r.GetInt64(9), r.GetInt64(10),
                    r.GetFieldValue<DateTimeOffset>(11)));
            }
        }
        return TypedResults.Ok(Paging.Of(items, p, size, total));
    }

    private static async Task<IResult> Customers(long id, IClusterClient grains, NpgsqlDataSource db, CancellationToken ct)
    {
        if (await grains.Reseller(id).Get() is null) return NotFound(id);
        await using var cmd = db.CreateCommand(
            """
            SELECT c.id, c.nome, c.documento,
                   coalesce((SELECT array_agg(ci.account ORDER BY ci.account) FROM circuits ci
                             WHERE ci.customer_id = c.id AND ci.deleted_at IS NULL), '{}')
            FROM customers c WHERE c.reseller_id = @id AND c.deleted_at IS NULL ORDER BY c.nome_busca, c.id
            """);
        cmd.Parameters.AddWithValue("id", id);
        var list = new List<object>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new { id = r.GetInt64(0), nome = r.GetString(1), documento = TaxId.Format(r.GetString(2)), circuits = r.GetFieldValue<string[]>(3) });
        return TypedResults.Ok(list);
    }

    /// <summary>A customer (and so all its circuits) now belongs to this reseller.</summary>
    private static async Task<IResult> LinkCustomer(long id, ResellerCustomerBody body, HttpContext http, IClusterClient grains)
    {
        if (body.CustomerId is not > 0) return Problems.Field("customerId", "Informe o cliente.");
        if (await grains.Reseller(id).Get() is null) return NotFound(id);
        var r = await grains.Customer(body.CustomerId.Value).SetReseller(id, null, CommandResults.Actor(http));
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> UnlinkCustomer(long id, long customerId, HttpContext http, IClusterClient grains)
    {
        if (customerId <= 0)
            return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"O cliente {customerId} não pertence à revenda {id}."));
        var r = await grains.Customer(customerId).SetReseller(null, id, CommandResults.Actor(http));
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }
}
