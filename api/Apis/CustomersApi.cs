using System.Globalization;
using System.Text;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Registration;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Billing.Api.Apis;

/// <summary>Body of POST/PUT <c>/api/customers</c> (PUT replaces every field).</summary>
public sealed record CustomerRequest(
    string? Nome,
    string? Documento,
    string? RazaoSocial = null,
    string? InscricaoEstadual = null,
    string? Cep = null,
    string? Pais = null,
    string? Uf = null,
    string? Cidade = null,
    string? Bairro = null,
    string? Logradouro = null,
    string? Numero = null,
    string? Complemento = null,
    string? Observacoes = null)
{
    public CustomerData ToData() => new()
    {
        Nome = Nome ?? "",
        Documento = Documento ?? "",
        RazaoSocial = RazaoSocial,
        InscricaoEstadual = InscricaoEstadual,
        Cep = Cep,
        Pais = Pais,
        Uf = Uf,
        Cidade = Cidade,
        Bairro = Bairro,
        Logradouro = Logradouro,
        Numero = Numero,
        Complemento = Complemento,
        Observacoes = Observacoes,
    };
}

/// <summary>Body of POST/PUT <c>/api/customers/{id}/contacts</c>.</summary>
public sealed record ContactRequest(string? Nome, string? Email = null, string? Telefone = null, string? Cargo = null)
{
    public ContactData ToData() => new() { Nome = Nome ?? "", Email = Email, Telefone = Telefone, Cargo = Cargo };
}

public sealed record ContactResponse(long Id, string Nome, string? Email, string? Telefone, string? Cargo)
{
    public static ContactResponse From(Contact c) => new(c.Id, c.Nome, c.Email, c.Telefone, c.Cargo);
}

/// <summary>A customer as the API shows it: document and CEP formatted, <c>tipoPessoa</c> PF/PJ.</summary>
public sealed record CustomerResponse(
    long Id,
    string Nome,
    string Documento,
    string TipoPessoa,
    string? RazaoSocial,
    string? InscricaoEstadual,
    string? Cep,
    string Pais,
    string? Uf,
    string? Cidade,
    string? Bairro,
    string? Logradouro,
    string? Numero,
    string? Complemento,
    string? Observacoes,
    IReadOnlyList<ContactResponse> Contatos,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CustomerResponse From(CustomerView v)
    {
        var d = v.Data;
        return new(v.Id, d.Nome, TaxId.Format(d.Documento), TaxId.TipoPessoa(d.Documento), d.RazaoSocial,
            d.InscricaoEstadual, CustomersApi.FormatCep(d.Cep), d.Pais ?? CustomerRules.DefaultCountry, d.Uf, d.Cidade,
            d.Bairro, d.Logradouro, d.Numero, d.Complemento, d.Observacoes,
            v.Contacts.Select(ContactResponse.From).ToArray(), v.CreatedAt, v.UpdatedAt);
    }
}

/// <summary>One row of the customer list (read model; contacts are counted, not listed).</summary>
public sealed record CustomerListItem(
    long Id,
    string Nome,
    string Documento,
    string TipoPessoa,
    string? RazaoSocial,
    string? InscricaoEstadual,
    string? Cep,
    string Pais,
    string? Uf,
    string? Cidade,
    string? Bairro,
    string? Logradouro,
    string? Numero,
    string? Complemento,
    int TotalContatos,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// <c>/api/customers</c>: the operator's customer registry ("Cadastro de Clientes") and its contacts.
/// Writes go to the Customer grain <c>cus:&lt;id&gt;</c>; the list and search read the <c>customers</c> table.
/// </summary>
public static class CustomersApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapCustomersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/customers").WithTags("Clientes").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapPost("/", Create);
        group.MapGet("/{id:long}", Get);
        group.MapPut("/{id:long}", Update);
        group.MapDelete("/{id:long}", Delete);
        group.MapGet("/{id:long}/contacts", ListContacts);
        group.MapPost("/{id:long}/contacts", AddContact);
        group.MapGet("/{id:long}/contacts/{contactId:long}", GetContact);
        group.MapPut("/{id:long}/contacts/{contactId:long}", UpdateContact);
        group.MapDelete("/{id:long}/contacts/{contactId:long}", RemoveContact);
        return app;
    }

    internal static string Actor(HttpContext http) =>
        http.User.Identity?.Name is { Length: > 0 } name ? name : "desconhecido";

    internal static string? FormatCep(string? cep) => cep is { Length: 8 } && cep.All(char.IsAsciiDigit) ? Cep.Format(cep) : cep;

    private static ProblemHttpResult CustomerNotFound(long id) =>
        Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Cliente {id} não encontrado."));

    private static async Task<Results<Created<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CustomerRequest body, HttpContext http, CustomerService customers) =>
        (await customers.Create(body.ToData(), Actor(http))).ToHttp(c => TypedResults.Created(
            string.Create(CultureInfo.InvariantCulture, $"/api/customers/{c.Id}"), CustomerResponse.From(c)));

    private static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> Get(long id, CustomerService customers)
    {
        var view = await customers.Get(id);
        return view is null ? CustomerNotFound(id) : TypedResults.Ok(CustomerResponse.From(view));
    }

    private static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Update(
        long id, CustomerRequest body, HttpContext http, CustomerService customers) =>
        (await customers.Update(id, body.ToData(), Actor(http))).ToHttp(c => TypedResults.Ok(CustomerResponse.From(c)));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        long id, HttpContext http, CustomerService customers) =>
        (await customers.Delete(id, Actor(http))).ToNoContent();

    private static async Task<Results<Ok<PagedResult<CustomerListItem>>, ValidationProblem>> List(
        CustomerQueries queries, CancellationToken ct, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (p < 1) errors.Add("page", "A página começa em 1.");
        if (size is < 1 or > MaxPageSize)
            errors.Add("pageSize", string.Create(CultureInfo.InvariantCulture, $"pageSize deve estar entre 1 e {MaxPageSize}."));
        if (search is { Length: > 200 }) errors.Add("search", "Busca com no máximo 200 caracteres.");
        if (errors.Any) return errors.ToProblem();
        return TypedResults.Ok(await queries.List(search, p, size, ct));
    }

    private static async Task<Results<Ok<ContactResponse[]>, ProblemHttpResult>> ListContacts(long id, IClusterClient grains)
    {
        var view = await grains.Customer(id).Get();
        return view is null
            ? CustomerNotFound(id)
            : TypedResults.Ok(view.Contacts.Select(ContactResponse.From).ToArray());
    }

    private static async Task<Results<Ok<ContactResponse>, ProblemHttpResult>> GetContact(
        long id, long contactId, IClusterClient grains)
    {
        var view = await grains.Customer(id).Get();
        if (view is null) return CustomerNotFound(id);
        var c = view.Contacts.FirstOrDefault(c => c.Id == contactId);
        return c is null
            ? Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Contato {contactId} não encontrado no cliente {id}."))
            : TypedResults.Ok(ContactResponse.From(c));
    }

    private static async Task<Results<Created<ContactResponse>, ValidationProblem, ProblemHttpResult>> AddContact(
        long id, ContactRequest body, HttpContext http, CustomerService customers) =>
        (await customers.SaveContact(id, null, body.ToData(), Actor(http))).ToHttp(c => TypedResults.Created(
            string.Create(CultureInfo.InvariantCulture, $"/api/customers/{id}/contacts/{c.Id}"), ContactResponse.From(c)));

    private static async Task<Results<Ok<ContactResponse>, ValidationProblem, ProblemHttpResult>> UpdateContact(
        long id, long contactId, ContactRequest body, HttpContext http, CustomerService customers) =>
        (await customers.SaveContact(id, contactId, body.ToData(), Actor(http))).ToHttp(c => TypedResults.Ok(ContactResponse.From(c)));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RemoveContact(
        long id, long contactId, HttpContext http, CustomerService customers) =>
        (await customers.RemoveContact(id, contactId, Actor(http))).ToNoContent();
}
