using System.Globalization;
using Billing.GrainInterfaces.Registration;

namespace Billing.Grains.Registration;

/// <summary>Flat, camelCase views of a customer and a contact, as recorded in the audit log. Pure.</summary>
public static class CustomerFields
{
    public static Dictionary<string, string?> Of(CustomerData d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(StringComparer.Ordinal)
        {
            ["nome"] = d.Nome,
            ["documento"] = d.Documento.Length == 0 ? null : TaxId.Format(d.Documento),
            ["razaoSocial"] = d.RazaoSocial,
            ["inscricaoEstadual"] = d.InscricaoEstadual,
            ["cep"] = d.Cep,
            ["pais"] = d.Pais,
            ["uf"] = d.Uf,
            ["cidade"] = d.Cidade,
            ["bairro"] = d.Bairro,
            ["logradouro"] = d.Logradouro,
            ["numero"] = d.Numero,
            ["complemento"] = d.Complemento,
            ["observacoes"] = d.Observacoes,
        };
    }

    /// <summary>Contact fields prefixed <c>contatos[&lt;id&gt;].</c> so one audit entry names the contact it touched.</summary>
    public static Dictionary<string, string?> Of(Contact c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = string.Create(CultureInfo.InvariantCulture, $"contatos[{c.Id}].");
        return new(StringComparer.Ordinal)
        {
            [p + "nome"] = c.Nome,
            [p + "email"] = c.Email,
            [p + "telefone"] = c.Telefone,
            [p + "cargo"] = c.Cargo,
        };
    }

    /// <summary>The text the read model's <c>busca</c> column holds: nome, razão social and the document, search-normalized.</summary>
    public static string SearchText(CustomerData d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return string.Join(' ', new[]
        {
            CustomerRules.SearchKey(d.Nome),
            CustomerRules.SearchKey(d.RazaoSocial),
            d.Documento.ToLowerInvariant(),
        }.Where(s => s.Length > 0));
    }
}
