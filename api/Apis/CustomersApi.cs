using System.Globalization;
using System.Text;
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

    private static ValidationProblem ToProblem(IEnumerable<FieldError> errors)
    {
        var fe = new FieldErrors();
        foreach (var e in errors) fe.Add(e.Field, e.Message);
        return fe.ToProblem();
    }

    private static ProblemHttpResult CustomerNotFound(long id) =>
        Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Cliente {id} não encontrado."));

    internal static async Task<Results<Created<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Create(
        CustomerRequest body, HttpContext http, IClusterClient grains, NpgsqlDataSource db, CancellationToken ct)
    {
        var errors = CustomerRules.Validate(body.ToData(), out var data);
        if (errors.Count > 0) return ToProblem(errors);
        var id = await grains.NextId(IdSequences.Customers);
        var result = await grains.Customer(id).Create(data, Actor(http));
        return result.Status switch
        {
            CommandStatus.Ok => TypedResults.Created(
                string.Create(CultureInfo.InvariantCulture, $"/api/customers/{id}"), CustomerResponse.From(result.Customer!)),
            CommandStatus.Invalid => ToProblem(result.Errors),
            CommandStatus.Conflict => Problems.Conflict(result.Detail ?? "Conflito com outro cliente."),
            _ => CustomerNotFound(id),
        };
    }

    internal static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> Get(long id, IClusterClient grains)
    {
        var view = await grains.Customer(id).Get();
        return view is null ? CustomerNotFound(id) : TypedResults.Ok(CustomerResponse.From(view));
    }

    internal static async Task<Results<Ok<CustomerResponse>, ValidationProblem, ProblemHttpResult>> Update(
        long id, CustomerRequest body, HttpContext http, IClusterClient grains)
    {
        var errors = CustomerRules.Validate(body.ToData(), out var data);
        if (errors.Count > 0) return ToProblem(errors);
        var result = await grains.Customer(id).Update(data, Actor(http));
        return result.Status switch
        {
            CommandStatus.Ok => TypedResults.Ok(CustomerResponse.From(result.Customer!)),
            CommandStatus.Invalid => ToProblem(result.Errors),
            CommandStatus.Conflict => Problems.Conflict(result.Detail ?? "Conflito com outro cliente."),
            _ => CustomerNotFound(id),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, HttpContext http, IClusterClient grains)
    {
        var result = await grains.Customer(id).Delete(Actor(http));
        return result.Status switch
        {
            CommandStatus.Ok => TypedResults.NoContent(),
            CommandStatus.Conflict => Problems.Conflict(result.Detail ?? "O cliente não pode ser excluído."),
            _ => CustomerNotFound(id),
        };
    }

    internal static async Task<Results<Ok<PagedResult<CustomerListItem>>, ValidationProblem>> List(
        NpgsqlDataSource db, CancellationToken ct, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var p = page ?? 1;
        var size = pageSize ?? DefaultPageSize;
        if (p < 1) errors.Add("page", "A página começa em 1.");
        if (size is < 1 or > MaxPageSize)
            errors.Add("pageSize", string.Create(CultureInfo.InvariantCulture, $"pageSize deve estar entre 1 e {MaxPageSize}."));
        if (search is { Length: > 200 }) errors.Add("search", "Busca com no máximo 200 caracteres.");
        if (errors.Any) return errors.ToProblem();

        var where = new StringBuilder("deleted_at IS NULL");
        var key = CustomerRules.SearchKey(search);
        string? docKey = null;
        if (key.Length > 0)
        {
            where.Append(" AND (busca LIKE @q");
            // a document typed with its mask (529.982.247-25, 12.ABC.345/01DE-35) matches the stored digits
            if (key.Any(char.IsAsciiDigit) && TaxId.Normalize(search) is { Length: > 0 } n)
            {
                docKey = n.ToLowerInvariant();
                if (!string.Equals(docKey, key, StringComparison.Ordinal)) where.Append(" OR busca LIKE @d");
                else docKey = null;
            }
            where.Append(')');
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM customers WHERE {where}", conn))
        {
            AddSearch(count, key, docKey);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<CustomerListItem>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT id, nome, documento, tipo_pessoa, razao_social, inscricao_estadual, cep, pais, uf, cidade, bairro,
                   logradouro, numero, complemento, contatos, created_at, updated_at
            FROM customers WHERE {where}
            ORDER BY nome_busca, id
            LIMIT @limit OFFSET @offset
            """, conn))
        {
            AddSearch(cmd, key, docKey);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
                items.Add(new CustomerListItem(
                    r.GetInt64(0), r.GetString(1), TaxId.Format(r.GetString(2)), r.GetString(3).Trim(), S(4), S(5),
                    FormatCep(S(6)), r.GetString(7), S(8), S(9), S(10), S(11), S(12), S(13), r.GetInt32(14),
                    r.GetFieldValue<DateTimeOffset>(15), r.GetFieldValue<DateTimeOffset>(16)));
            }
        }
        var pages = (total + size - 1) / size;
        return TypedResults.Ok(new PagedResult<CustomerListItem>(items, p, size, total, pages));
    }

    private static void AddSearch(NpgsqlCommand cmd, string key, string? docKey)
    {
        if (key.Length > 0) cmd.Parameters.AddWithValue("q", "%" + EscapeLike(key) + "%");
        if (docKey is not null) cmd.Parameters.AddWithValue("d", "%" + EscapeLike(docKey) + "%");
    }

    internal static string EscapeLike(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

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

    internal static async Task<Results<Created<ContactResponse>, ValidationProblem, ProblemHttpResult>> AddContact(
        long id, ContactRequest body, HttpContext http, IClusterClient grains)
    {
        var errors = CustomerRules.Validate(body.ToData(), out var data);
        if (errors.Count > 0) return ToProblem(errors);
        var result = await grains.Customer(id).AddContact(data, Actor(http));
        return result.Status switch
        {
            CommandStatus.Ok => TypedResults.Created(
                string.Create(CultureInfo.InvariantCulture, $"/api/customers/{id}/contacts/{result.Contact!.Id}"),
                ContactResponse.From(result.Contact!)),
            CommandStatus.Invalid => ToProblem(result.Errors),
            _ => Problems.NotFound(result.Detail ?? "Cliente não encontrado."),
        };
    }

    internal static async Task<Results<Ok<ContactResponse>, ValidationProblem, ProblemHttpResult>> UpdateContact(
        long id, long contactId, ContactRequest body, HttpContext http, IClusterClient grains)
    {
        var errors = CustomerRules.Validate(body.ToData(), out var data);
        if (errors.Count > 0) return ToProblem(errors);
        var result = await grains.Customer(id).UpdateContact(contactId, data, Actor(http));
        return result.Status switch
        {
            CommandStatus.Ok => TypedResults.Ok(ContactResponse.From(result.Contact!)),
            CommandStatus.Invalid => ToProblem(result.Errors),
            _ => Problems.NotFound(result.Detail ?? "Contato não encontrado."),
        };
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveContact(
        long id, long contactId, HttpContext http, IClusterClient grains)
    {
        var result = await grains.Customer(id).RemoveContact(contactId, Actor(http));
        return result.Status == CommandStatus.Ok
            ? TypedResults.NoContent()
            : Problems.NotFound(result.Detail ?? "Contato não encontrado.");
    }
}
