using System.Text;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Registration;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>Read-only queries of the customer registry (the <c>customers</c> read model, written by the Customer grains).</summary>
public sealed class CustomerQueries(NpgsqlDataSource db)
{
    /// <summary>One page of live customers, by name; <paramref name="search"/> matches name, document (with or without its mask), city…</summary>
    public async Task<PagedResult<CustomerListItem>> List(string? search, int p, int size, CancellationToken ct)
    {
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
                    CustomersApi.FormatCep(S(6)), r.GetString(7), S(8), S(9), S(10), S(11), S(12), S(13), r.GetInt32(14),
                    r.GetFieldValue<DateTimeOffset>(15), r.GetFieldValue<DateTimeOffset>(16)));
            }
        }
        var pages = (total + size - 1) / size;
        return new PagedResult<CustomerListItem>(items, p, size, total, pages);
    }

    private static void AddSearch(NpgsqlCommand cmd, string key, string? docKey)
    {
        if (key.Length > 0) cmd.Parameters.AddWithValue("q", "%" + EscapeLike(key) + "%");
        if (docKey is not null) cmd.Parameters.AddWithValue("d", "%" + EscapeLike(docKey) + "%");
    }

    /// <summary>A LIKE pattern's special characters escaped (the search text is taken literally).</summary>
    public static string EscapeLike(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
}
