using System.Collections.Immutable;
using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Resellers;
using Microsoft.AspNetCore.Http.HttpResults;

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

    private static IResult NotFound(long id) => Problems.NotFound(ResellerService.NotFoundMessage(id));

    private static async Task<Results<Created<ResellerResponse>, ValidationProblem, ProblemHttpResult>> Create(
        ResellerRequest body, HttpContext http, ResellerService resellers) =>
        (await resellers.Create(body.ToData(), CommandResults.Actor(http))).ToHttp(v => TypedResults.Created(
            string.Create(CultureInfo.InvariantCulture, $"/api/resellers/{v.Id}"), ResellerResponse.From(v)));

    private static async Task<IResult> Get(long id, ResellerService resellers) =>
        await resellers.Get(id) is { } v ? TypedResults.Ok(ResellerResponse.From(v)) : NotFound(id);

    private static async Task<Results<Ok<ResellerResponse>, ValidationProblem, ProblemHttpResult>> Update(
        long id, ResellerRequest body, HttpContext http, ResellerService resellers) =>
        (await resellers.Update(id, body.ToData(), CommandResults.Actor(http))).ToHttp(v => TypedResults.Ok(ResellerResponse.From(v)));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(long id, HttpContext http, ResellerService resellers) =>
        (await resellers.Delete(id, CommandResults.Actor(http))).ToNoContent();

    private static async Task<IResult> Totals(long id, ResellerService resellers) =>
        await resellers.Totals(id) is { } t ? TypedResults.Ok(t) : NotFound(id);

    private static async Task<Results<Ok<PagedResult<ResellerListItem>>, ValidationProblem>> List(ResellerQueries queries, CancellationToken ct,
        string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (search is { Length: > 200 }) errors.Add("search", "Busca com no máximo 200 caracteres.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await queries.List(search, p, size, ct));
    }

    private static async Task<IResult> Customers(long id, ResellerService resellers, ResellerQueries queries, CancellationToken ct)
    {
        if (await resellers.Get(id) is null) return NotFound(id);
        return TypedResults.Ok(await queries.Customers(id, ct));
    }

    /// <summary>A customer (and so all its circuits) now belongs to this reseller.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> LinkCustomer(
        long id, ResellerCustomerBody body, HttpContext http, ResellerService resellers) =>
        (await resellers.LinkCustomer(id, body.CustomerId, CommandResults.Actor(http))).ToNoContent();

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> UnlinkCustomer(
        long id, long customerId, HttpContext http, ResellerService resellers) =>
        (await resellers.UnlinkCustomer(id, customerId, CommandResults.Actor(http))).ToNoContent();
}
