using System.Globalization;
using System.Text;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Documents;
using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Resellers;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>A customer of a reseller and its circuits (GET /api/resellers/{id}/customers, the reseller's admin page).</summary>
public sealed record ResellerCustomer(long Id, string Nome, string Documento, string[] Circuits);

/// <summary>One reseller's statement of a month (frozen once the month was closed, else live).</summary>
public sealed record ResellerStatement(long ResellerId, string Nome, int DidCount, string[] Dids, decimal DidFees, decimal Completion,
    int Calls, long Seconds, bool Closed)
{
    public decimal Saldo => DidFees + Completion;
}

/// <summary>The statements of a month (filtered and ordered), and the month compared with when one was asked.</summary>
public sealed record ResellerStatementRows(BillingPeriod Period, BillingPeriod? Compare, IReadOnlyList<ResellerStatementRow> Rows);

/// <summary>A CSV file to download.</summary>
public sealed record CsvFile(byte[] Content, string FileName);

/// <summary>
/// Read-only queries of resellers (the <c>resellers</c> read model written by the Reseller grains) and of their
/// statements ("Faturas Fechadas Revenda": <c>reseller_statements</c> once a month is closed by the cluster, else the
/// live <see cref="ResellerStatementMonth"/> queries). Reading never writes.
/// </summary>
public sealed class ResellerQueries(NpgsqlDataSource db, TimeProvider clock)
{
    private static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>One page of live resellers by name; <paramref name="search"/> matches the name or the document.</summary>
    public async Task<PagedResult<ResellerListItem>> List(string? search, int p, int size, CancellationToken ct)
    {
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
        return Paging.Of(items, p, size, total);
    }

    /// <summary>The live customers of a reseller with their live circuits, by name.</summary>
    public async Task<IReadOnlyList<ResellerCustomer>> Customers(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT c.id, c.nome, c.documento,
                   coalesce((SELECT array_agg(ci.account ORDER BY ci.account) FROM circuits ci
                             WHERE ci.customer_id = c.id AND ci.deleted_at IS NULL), '{}')
            FROM customers c WHERE c.reseller_id = @id AND c.deleted_at IS NULL ORDER BY c.nome_busca, c.id
            """);
        cmd.Parameters.AddWithValue("id", id);
        var list = new List<ResellerCustomer>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ResellerCustomer(r.GetInt64(0), r.GetString(1), TaxId.Format(r.GetString(2)), r.GetFieldValue<string[]>(3)));
        return list;
    }

    /// <summary>Live resellers (id, name) for selects, by name.</summary>
    public async Task<IReadOnlyList<(long Id, string Nome)>> Names(CancellationToken ct)
    {
        var list = new List<(long, string)>();
        await using var cmd = db.CreateCommand("SELECT id, nome FROM resellers WHERE deleted_at IS NULL ORDER BY nome_busca, id LIMIT 1000");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    // ---- Faturas Fechadas Revenda ----

    /// <summary>Every reseller's statement of the month: the frozen rows once the month was closed, else computed live.</summary>
    public async Task<List<ResellerStatement>> Month(BillingPeriod period, CancellationToken ct)
    {
        var key = period.Key;
        await using var conn = await db.OpenConnectionAsync(ct);
        bool closed;
        await using (var check = new NpgsqlCommand("SELECT 1 FROM reseller_statement_closings WHERE reference = @ref", conn))
        {
            check.Parameters.AddWithValue("ref", key);
            closed = await check.ExecuteScalarAsync(ct) is not null;
        }
        var list = new List<ResellerStatement>();
        await using var cmd = closed
            ? new NpgsqlCommand(
                """
                SELECT reseller_id, nome, did_count, dids, did_fees, completion, inbound_calls, inbound_seconds
                FROM reseller_statements WHERE reference = @ref
                """, conn)
            : new NpgsqlCommand(ResellerStatementMonth.LiveSql, conn);
        cmd.Parameters.AddWithValue("ref", key);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ResellerStatement(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<string[]>(3), r.GetDecimal(4),
                r.GetDecimal(5), r.GetInt32(6), r.GetInt64(7), closed));
        return list;
    }

    /// <summary>One reseller's statement of the month, or null.</summary>
    public async Task<ResellerStatement?> Statement(long resellerId, BillingPeriod period, CancellationToken ct) =>
        (await Month(period, ct)).FirstOrDefault(x => x.ResellerId == resellerId);

    /// <summary>Inbound calls of the statement per São Paulo day.</summary>
    public async Task<List<ResellerStatementDay>> Days(ResellerStatement row, BillingPeriod period, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        var days = new List<ResellerStatementDay>();
        await using var cmd = row.Closed
            ? db.CreateCommand("SELECT day, calls, seconds, amount FROM reseller_statement_days WHERE reference = @ref AND reseller_id = @id ORDER BY day")
            : db.CreateCommand($"SELECT d.day, d.calls, d.secs, d.amount FROM ({ResellerStatementMonth.DaysSql} AND reseller_id = @id GROUP BY 1, 2) AS d(rid, day, calls, secs, amount) ORDER BY d.day");
        cmd.Parameters.AddWithValue("ref", period.Key);
        cmd.Parameters.AddWithValue("id", row.ResellerId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            days.Add(new ResellerStatementDay(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetInt64(2), r.GetDecimal(3)));
        return days;
    }

    /// <summary>
    /// The month <paramref name="reference"/> (aaaa-MM or MM/aaaa) of every reseller whose name matches
    /// <paramref name="search"/>, by name, each next to its figures of <paramref name="compareTo"/> when given.
    /// Invalid when a month is malformed or outside the window (10 years back, 1 ahead) or the search is too long.
    /// </summary>
    public async Task<CommandResult<ResellerStatementRows>> Statements(string? reference, string? compareTo, string? search, CancellationToken ct)
    {
        var today = SaoPauloTime.Today(clock);
        if ((BillingPeriod.Read(reference, "reference", out var period) ?? period.OutsideWindow("reference", today, futureYears: 1)) is { } badReference)
            return CommandResult<ResellerStatementRows>.Invalid("reference", badReference);
        BillingPeriod? other = null;
        if (compareTo is not null)
        {
            if ((BillingPeriod.Read(compareTo, "compareTo", out var c) ?? c.OutsideWindow("compareTo", today, futureYears: 1)) is { } badCompare)
                return CommandResult<ResellerStatementRows>.Invalid("compareTo", badCompare);
            other = c;
        }
        if (search is { Length: > 200 }) return CommandResult<ResellerStatementRows>.Invalid("search", "Busca com no máximo 200 caracteres.");
        var compare = other is { } o ? await Month(o, ct) : null;
        var current = await Month(period, ct);
        var key = CustomerRules.SearchKey(search);
        var previous = compare?.ToDictionary(x => x.ResellerId);
        var rows = current
            .Where(x => key.Length == 0 || CustomerRules.SearchKey(x.Nome).Contains(key, StringComparison.Ordinal))
            .OrderBy(x => CustomerRules.SearchKey(x.Nome), StringComparer.Ordinal).ThenBy(x => x.ResellerId)
            .Select(x =>
            {
                var p = previous is not null && previous.TryGetValue(x.ResellerId, out var found) ? found : null;
                decimal? saldo = previous is null ? null : p?.Saldo ?? 0m;
                int? count = previous is null ? null : p?.DidCount ?? 0;
                return new ResellerStatementRow(period.Label, x.ResellerId, x.Nome, x.DidCount, x.DidFees, x.Completion,
                    x.Calls, x.Seconds, x.Saldo, x.Closed, saldo, saldo is null ? null : x.Saldo - saldo, count, x.Dids);
            })
            .ToList();
        return CommandResult<ResellerStatementRows>.Ok(new ResellerStatementRows(period, other, rows));
    }

    /// <summary>One page of <see cref="Statements"/> with the total Saldo of every row (all pages).</summary>
    public async Task<CommandResult<ResellerStatementPage>> Page(string? reference, string? compareTo, string? search, int p, int size,
        CancellationToken ct)
    {
        var q = await Statements(reference, compareTo, search, ct);
        if (!q.IsOk) return CommandResult<ResellerStatementPage>.From(q.WithoutValue());
        var rows = q.Value!.Rows;
        var paged = Paging.Of(rows.Skip((p - 1) * size).Take(size).ToList(), p, size, rows.Count);
        return CommandResult<ResellerStatementPage>.Ok(new ResellerStatementPage(q.Value.Period.Label, q.Value.Compare?.Label, paged.Items,
            paged.Page, paged.PageSize, paged.Total, paged.TotalPages, rows.Sum(r => r.Saldo)));
    }

    /// <summary>
    /// Every row of <see cref="Statements"/> as the seed's CSV (pt-BR, ';', UTF-8 with BOM): Referência, Nome Revenda, Quantidade
    /// DIDs, the two parts of the Saldo, Saldo do dia (R$); with a compared month its DID count, Saldo and the difference; last
    /// the Lista DIDs (numbers separated by spaces).
    /// </summary>
    public async Task<CommandResult<CsvFile>> Csv(string? reference, string? compareTo, string? search, CancellationToken ct)
    {
        var q = await Statements(reference, compareTo, search, ct);
        if (!q.IsOk) return CommandResult<CsvFile>.From(q.WithoutValue());
        var (period, compare, rows) = (q.Value!.Period, q.Value.Compare, q.Value.Rows);
        // one CSV writer for every document (PtBrCsv): names that start with = + - @ are escaped as text, amounts are numbers
        var bytes = PtBrCsv.Write(csv =>
        {
            var header = new List<string> { "Referência", "Nome Revenda", "Quantidade DIDs", "Mensalidades DIDs (R$)", "Completamento (R$)", "Saldo do dia (R$)" };
            if (compare is { } c)
                header.AddRange(["Referência comparada", "Quantidade DIDs " + c.Label, "Saldo do dia " + c.Label + " (R$)", "Diferença (R$)"]);
            header.Add("Lista DIDs");
            csv.WriteHeader(header.ToArray());
            foreach (var r in rows)
            {
                csv.WriteField(r.Reference);
                csv.WriteField(r.Nome);
                csv.WriteField(r.DidCount.ToString(PtBr));
                csv.WriteMoney(r.DidFees);
                csv.WriteMoney(r.Completion);
                csv.WriteMoney(r.Saldo);
                if (compare is { } cmp)
                {
                    csv.WriteField(cmp.Label);
                    csv.WriteField((r.CompareDidCount ?? 0).ToString(PtBr));
                    csv.WriteMoney(r.CompareSaldo ?? 0m);
                    csv.WriteMoney(r.Difference ?? 0m);
                }
                csv.WriteField(string.Join(' ', r.Dids ?? []));
                csv.EndRecord();
            }
        });
        return CommandResult<CsvFile>.Ok(new CsvFile(bytes, $"faturas-revenda-{period.Key}.csv"));
    }
}
