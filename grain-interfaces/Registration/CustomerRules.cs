using Billing.GrainInterfaces.Common;
using System.Globalization;
using System.Text;

namespace Billing.GrainInterfaces.Registration;

/// <summary>One invalid field: camelCase name as the API shows it, and a pt-BR message.</summary>
[GenerateSerializer, Immutable, Alias("Billing.FieldError")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message)
{
    /// <summary>Field errors as an Invalid command result (messages of the same field kept together).</summary>
    public static CommandResult<T> Invalid<T>(IEnumerable<FieldError> errors) =>
        CommandResult<T>.Invalid(errors.GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));
}

/// <summary>
/// Validation and normalization of customer registrations and contacts, shared by the API (first line)
/// and the Customer grain (defence in depth). Pure: no Orleans calls, no I/O.
/// </summary>
public static class CustomerRules
{
    public const string DefaultCountry = "Brasil";

    public const int MaxNome = 200;
    public const int MaxRazaoSocial = 200;
    public const int MaxInscricaoEstadual = 30;
    public const int MaxPais = 60;
    public const int MaxCidade = 100;
    public const int MaxBairro = 100;
    public const int MaxLogradouro = 200;
    public const int MaxNumero = 20;
    public const int MaxComplemento = 100;
    public const int MaxObservacoes = 4000;
    public const int MaxTelefone = 40;
    public const int MaxCargo = 100;

    /// <summary>
    /// Validates <paramref name="input"/>; when there is no error, <paramref name="normalized"/> holds the
    /// form to store (document digits/uppercase only, CEP digits, UF upper-case, País defaulted, blanks → null).
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(CustomerData input, out CustomerData normalized)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();

        var nome = Clean(input.Nome);
        if (nome is null) errors.Add(new("nome", "Informe o nome do cliente."));
        else CheckLength(errors, "nome", nome, MaxNome);

        var documento = "";
        if (!TaxId.TryParse(input.Documento, out var doc, out _, out var docError))
            errors.Add(new("documento", docError!));
        else documento = doc;

        var pais = Clean(input.Pais) ?? DefaultCountry;
        CheckLength(errors, "pais", pais, MaxPais);
        var brasil = IsBrazil(pais);
        if (brasil) pais = DefaultCountry;

        var cep = Clean(input.Cep);
        if (cep is not null && brasil)
        {
            var n = Cep.Normalize(cep);
            if (n is null) errors.Add(new("cep", "CEP inválido: informe 8 dígitos (ex.: 01310-100)."));
            else cep = n;
        }
        else if (cep is not null) CheckLength(errors, "cep", cep, 20);

        var uf = Clean(input.Uf);
        if (uf is not null && brasil)
        {
            var n = Uf.Normalize(uf);
            if (n is null) errors.Add(new("uf", $"UF desconhecida: '{Truncate(uf)}'. Use uma das 27 siglas (ex.: SP, RJ, DF)."));
            else uf = n;
        }
        else if (uf is not null) CheckLength(errors, "uf", uf, 60);

        var razao = Clean(input.RazaoSocial);
        CheckLength(errors, "razaoSocial", razao, MaxRazaoSocial);
        var ie = Clean(input.InscricaoEstadual)?.ToUpperInvariant();
        CheckLength(errors, "inscricaoEstadual", ie, MaxInscricaoEstadual);
        var cidade = Clean(input.Cidade);
        CheckLength(errors, "cidade", cidade, MaxCidade);
        var bairro = Clean(input.Bairro);
        CheckLength(errors, "bairro", bairro, MaxBairro);
        var logradouro = Clean(input.Logradouro);
        CheckLength(errors, "logradouro", logradouro, MaxLogradouro);
        var numero = Clean(input.Numero);
        CheckLength(errors, "numero", numero, MaxNumero);
        var complemento = Clean(input.Complemento);
        CheckLength(errors, "complemento", complemento, MaxComplemento);
        var obs = input.Observacoes is { } o && !string.IsNullOrWhiteSpace(o) ? o.Trim() : null;
        CheckLength(errors, "observacoes", obs, MaxObservacoes, multiline: true);

        normalized = new CustomerData
        {
            Nome = nome ?? "",
            Documento = documento,
            RazaoSocial = razao,
            InscricaoEstadual = ie,
            Cep = cep,
            Pais = pais,
            Uf = uf,
            Cidade = cidade,
            Bairro = bairro,
            Logradouro = logradouro,
            Numero = numero,
            Complemento = complemento,
            Observacoes = obs,
        };
        return errors;
    }

    /// <summary>Validates a contact (nome required, e-mail validated when given); returns the stored form.</summary>
    public static IReadOnlyList<FieldError> Validate(ContactData input, out ContactData normalized)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();
        var nome = Clean(input.Nome);
        if (nome is null) errors.Add(new("nome", "Informe o nome do contato."));
        else CheckLength(errors, "nome", nome, MaxNome);

        var email = Clean(input.Email);
        if (email is not null && Common.InputRules.Text(email, 254) is { } badEmail)
        {
            errors.Add(new("email", badEmail));
            email = null;
        }
        else if (email is not null)
        {
            var n = Email.Normalize(email);
            if (n is null) errors.Add(new("email", "E-mail inválido (ex.: financeiro@empresa.com.br)."));
            else email = n;
        }
        var telefone = Clean(input.Telefone);
        CheckLength(errors, "telefone", telefone, MaxTelefone);
        var cargo = Clean(input.Cargo);
        CheckLength(errors, "cargo", cargo, MaxCargo);

        normalized = new ContactData { Nome = nome ?? "", Email = email, Telefone = telefone, Cargo = cargo };
        return errors;
    }

    /// <summary>
    /// Lower-case, accent-free, single-spaced text used for search and ordering (the same function
    /// builds the stored search column and the search term, so both sides always agree).
    /// </summary>
    public static string SearchKey(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsBrazil(string pais) => SearchKey(pais) is "brasil" or "brazil" or "br";

    private static string? Clean(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        return s.Trim();
    }

    private static string Truncate(string s) => s.Length <= 20 ? s : s[..20] + "…";

    /// <summary>Length and characters (<see cref="Common.InputRules"/>): single-line unless <paramref name="multiline"/>.</summary>
    private static void CheckLength(List<FieldError> errors, string field, string? value, int max, bool multiline = false)
    {
        if (value is null) return;
        if (value.Length > max)
            errors.Add(new(field, string.Create(CultureInfo.InvariantCulture, $"Máximo de {max} caracteres.")));
        else if (Common.InputRules.Text(value, max, multiline) is { } bad)
            errors.Add(new(field, bad));
    }
}
