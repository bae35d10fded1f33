using System.Globalization;
using System.Text;
using System.Collections.Immutable;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Documents;
using Billing.GrainInterfaces.Resellers;
using CsvHelper;
using Npgsql;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Apis;

/// <summary>One row of "Faturas Fechadas Revenda": Saldo = DID fees + inbound call completion of the month.</summary>
public sealed record ResellerStatementRow(
    string Reference, long ResellerId, string Nome, int DidCount, decimal DidFees, decimal Completion, int InboundCalls,
    long InboundSeconds, decimal Saldo, bool Closed, decimal? CompareSaldo = null, decimal? Difference = null);

public sealed record ResellerStatementDay(DateOnly Day, int Calls, long Seconds, decimal Saldo);

public sealed record ResellerStatementPage(
    string Reference, string? CompareTo, IReadOnlyList<ResellerStatementRow> Items, int Page, int PageSize, long Total, long TotalPages,
    decimal SaldoTotal);

/// <summary>
/// Reseller statements ("Faturas Fechadas Revenda"), per calendar month in America/Sao_Paulo.
/// A month is frozen when it ends, by the cluster (<see cref="IResellerStatementsGrain"/>: rows copied to
/// <c>reseller_statements</c> / <c>reseller_statement_days</c>; later CDRs of that month no longer change it) and then
/// read frozen (<c>closed: true</c>); until then it is computed live (<c>closed: false</c>). Reading never writes. DID fees: each DID in service for the
/// reseller at any moment of the month is charged its full monthly fee once (no proration).
/// </summary>
public static class ResellerStatementsApi
{
    private static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    public static IEndpointRouteBuilder MapResellerStatementsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/reports").WithTags("Faturas Fechadas Revenda").RequireAuthorization(Policies.Admin);
        group.MapGet("/reseller-statements", List);
        group.MapGet("/reseller-statements.csv", Csv);
        group.MapGet("/reseller-statements/{resellerId:long}/{reference}", Detail);
        group.MapGet("/reseller-statements/{resellerId:long}/{reference}/dids", Dids);
        group.MapGet("/reseller-statements.pdf", Pdf);
        group.MapGet("/reseller-statements/{resellerId:long}/{reference}/pdf", ResellerPdf);
        return app;
    }

    /// <summary>MM/YYYY (as on screen), MM-YYYY or YYYY-MM → (year, month).</summary>
    public static bool TryParseReference(string? text, out int year, out int month)
    {
        year = month = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Trim().Split('/', '-');
        if (parts.Length != 2) return false;
        var (m, y) = parts[0].Length == 4 ? (parts[1], parts[0]) : (parts[0], parts[1]);
        return m.Length is 1 or 2 && y.Length == 4
            && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out month)
            && int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out year)
            && month is >= 1 and <= 12 && year is >= 2000 and <= 2999;
    }

    private static string Key(int year, int month) => ResellerStatementMonth.Key(year, month);

    private static string Screen(int year, int month) => string.Create(CultureInfo.InvariantCulture, $"{month:D2}/{year:D4}");

    private static (DateTime Start, DateTime End) Bounds(int year, int month) => ResellerStatementMonth.Bounds(year, month);

    private sealed record Statement(long ResellerId, string Nome, int DidCount, string[] Dids, decimal DidFees, decimal Completion,
        int Calls, long Seconds, bool Closed)
    {
        public decimal Saldo => DidFees + Completion;
    }

    /// <summary>Every reseller's statement of the month: the frozen rows once the month was closed, else computed live (read only).</summary>
    private static async Task<List<Statement>> LoadAsync(NpgsqlDataSource db, int year, int month, CancellationToken ct)
    {
        var (s, e) = Bounds(year, month);
        var key = Key(year, month);
        await using var conn = await db.OpenConnectionAsync(ct);
        bool closed;
        await using (var check = new NpgsqlCommand("SELECT 1 FROM reseller_statement_closings WHERE reference = @ref", conn))
        {
            check.Parameters.AddWithValue("ref", key);
            closed = await check.ExecuteScalarAsync(ct) is not null;
        }
        var list = new List<Statement>();
        if (closed)
        {
            await using var frozen = new NpgsqlCommand(
                """
                SELECT reseller_id, nome, did_count, dids, did_fees, completion, inbound_calls, inbound_seconds
                FROM reseller_statements WHERE reference = @ref
                """, conn);
            frozen.Parameters.AddWithValue("ref", key);
            await using var r = await frozen.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) list.Add(Read(r, closed: true));
            return list;
        }
        await using var cmd = new NpgsqlCommand(ResellerStatementMonth.LiveSql, conn);
        cmd.Parameters.AddWithValue("s", s);
        cmd.Parameters.AddWithValue("e", e);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add(Read(r, closed: false));
        return list;
    }

    private static Statement Read(NpgsqlDataReader r, bool closed) =>
        new(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<string[]>(3), r.GetDecimal(4), r.GetDecimal(5),
            r.GetInt32(6), r.GetInt64(7), closed);

    private static List<ResellerStatementRow> Rows(List<Statement> current, List<Statement>? compare, int year, int month, string? search)
    {
        var key = Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(search);
        var previous = compare?.ToDictionary(x => x.ResellerId);
        return current
            .Where(x => key.Length == 0 || Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(x.Nome).Contains(key, StringComparison.Ordinal))
            .OrderBy(x => Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(x.Nome), StringComparer.Ordinal).ThenBy(x => x.ResellerId)
            .Select(x =>
            {
                decimal? other = previous is null ? null : previous.TryGetValue(x.ResellerId, out var p) ? p.Saldo : 0m;
                return new ResellerStatementRow(Screen(year, month), x.ResellerId, x.Nome, x.DidCount, x.DidFees, x.Completion,
                    x.Calls, x.Seconds, x.Saldo, x.Closed, other, other is null ? null : x.Saldo - other);
            })
            .ToList();
    }

    private static async Task<(List<ResellerStatementRow>? Rows, IResult? Problem, int Year, int Month)> QueryAsync(
        NpgsqlDataSource db, TimeProvider clock, string? reference, string? compareTo, string? search, CancellationToken ct)
    {
        if (!TryParseReference(reference, out var y, out var m))
            return (null, Problems.Field("reference", "Informe a referência no formato MM/AAAA (ex.: 08/2025)."), 0, 0);
        var today = SaoPauloTime.Today(clock);
        if (InputRules.Month(y, m, today, futureYears: 1) is { } badReference) return (null, Problems.Field("reference", badReference), 0, 0);
        List<Statement>? compare = null;
        if (compareTo is not null)
        {
            if (!TryParseReference(compareTo, out var cy, out var cm))
                return (null, Problems.Field("compareTo", "Informe a referência de comparação no formato MM/AAAA."), 0, 0);
            if (InputRules.Month(cy, cm, today, futureYears: 1) is { } badCompare) return (null, Problems.Field("compareTo", badCompare), 0, 0);
            compare = await LoadAsync(db, cy, cm, ct);
        }
        if (search is { Length: > 200 }) return (null, Problems.Field("search", "Busca com no máximo 200 caracteres."), 0, 0);
        var current = await LoadAsync(db, y, m, ct);
        return (Rows(current, compare, y, m, search), null, y, m);
    }

    internal static async Task<IResult> List(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, string? reference = null,
        string? compareTo = null, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (errors.Any) return errors.ToProblem();
        var (rows, problem, y, m) = await QueryAsync(db, clock, reference, compareTo, search, ct);
        if (problem is not null) return problem;
        var paged = Paging.Of(rows!.Skip((p - 1) * size).Take(size).ToList(), p, size, rows!.Count);
        string? cmp = compareTo is not null && TryParseReference(compareTo, out var cy, out var cm) ? Screen(cy, cm) : null;
        return TypedResults.Ok(new ResellerStatementPage(Screen(y, m), cmp, paged.Items, paged.Page, paged.PageSize, paged.Total,
            paged.TotalPages, rows.Sum(r => r.Saldo)));
    }

    private static string Money(decimal d) => GrainInterfaces.Common.Money.Number(d);

    /// <summary>Same rows as the JSON query (all pages), pt-BR formatting, ';' separated, UTF-8 with BOM (opens in Excel).</summary>
    internal static async Task<IResult> Csv(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, string? reference = null,
        string? compareTo = null, string? search = null)
    {
        var (rows, problem, y, m) = await QueryAsync(db, clock, reference, compareTo, search, ct);
        if (problem is not null) return problem;
        // one CSV writer for every document (PtBrCsv): names that start with = + - @ are escaped as text, amounts are numbers
        var bytes = PtBrCsv.Write(csv =>
        {
            var header = new List<string> { "Referência", "Nome Revenda", "Quantidade DIDs", "Mensalidades DIDs (R$)", "Completamento (R$)", "Saldo (R$)" };
            if (compareTo is not null) header.AddRange(["Saldo comparado (R$)", "Diferença (R$)"]);
            csv.WriteHeader(header.ToArray());
            foreach (var r in rows!)
            {
                csv.WriteField(r.Reference);
                csv.WriteField(r.Nome);
                csv.WriteField(r.DidCount.ToString(PtBr));
                csv.WriteMoney(r.DidFees);
                csv.WriteMoney(r.Completion);
                csv.WriteMoney(r.Saldo);
                if (compareTo is not null)
                {
                    csv.WriteMoney(r.CompareSaldo ?? 0m);
                    csv.WriteMoney(r.Difference ?? 0m);
                }
                csv.EndRecord();
            }
        });
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"faturas-revenda-{Key(y, m)}.csv");
    }

    private static async Task<List<ResellerStatementDay>> DaysAsync(NpgsqlDataSource db, Statement row, long resellerId, int y, int m, CancellationToken ct)
    {
        var days = new List<ResellerStatementDay>();
        var (s, e) = Bounds(y, m);
        await using var cmd = row.Closed
            ? db.CreateCommand("SELECT day, calls, seconds, amount FROM reseller_statement_days WHERE reference = @ref AND reseller_id = @id ORDER BY day")
            : db.CreateCommand(
                """
                SELECT (started_at AT TIME ZONE 'America/Sao_Paulo')::date AS day, count(*)::int, coalesce(sum(duration_seconds), 0)::bigint,
                       coalesce(sum(reseller_amount), 0)
                FROM ledger WHERE kind = 'call' AND reseller_id = @id AND started_at >= @s AND started_at < @e
                GROUP BY 1 ORDER BY 1
                """);
        cmd.Parameters.AddWithValue("ref", Key(y, m));
        cmd.Parameters.AddWithValue("id", resellerId);
        cmd.Parameters.AddWithValue("s", s);
        cmd.Parameters.AddWithValue("e", e);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                days.Add(new ResellerStatementDay(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetInt64(2), r.GetDecimal(3)));
        return days;
    }

    private static string Brl(decimal d) => GrainInterfaces.Common.Money.Format(d);

    /// <summary>The month's statements of every reseller (same rows and filters as the JSON and CSV) as a PDF.</summary>
    private static async Task<IResult> Pdf(NpgsqlDataSource db, TimeProvider clock, IClusterClient cluster, CancellationToken ct,
        string? reference = null, string? compareTo = null, string? search = null)
    {
        var (rows, problem, y, m) = await QueryAsync(db, clock, reference, compareTo, search, ct);
        if (problem is not null) return problem;
        var columns = ImmutableArray.Create(
            new TableColumn("Nome Revenda", 4), new TableColumn("DIDs", 1, true), new TableColumn("Mensalidades DIDs", 2, true),
            new TableColumn("Completamento", 2, true), new TableColumn("Saldo", 2, true));
        var table = rows!.Select(r => ImmutableArray.Create(r.Nome, r.DidCount.ToString(PtBr), Brl(r.DidFees), Brl(r.Completion), Brl(r.Saldo))).ToImmutableArray();
        var doc = new TableDocument(
            "Faturas Fechadas Revenda",
            [new("Referência", Screen(y, m)), new("Revendas", rows!.Count.ToString(PtBr)), new("Moeda", "BRL")],
            [new TableSection("Revendas", columns, table,
                ["Total", rows.Sum(r => r.DidCount).ToString(PtBr), Brl(rows.Sum(r => r.DidFees)), Brl(rows.Sum(r => r.Completion)), Brl(rows.Sum(r => r.Saldo))])],
            clock.GetUtcNow());
        var pdf = await cluster.GetGrain<IReportGrain>(0).RenderPdf(doc);
        return TypedResults.File(pdf, "application/pdf", $"faturas-revenda-{Key(y, m)}.pdf");
    }

    /// <summary>One reseller's statement of the month as a PDF: totals, inbound minutes per day, DIDs charged.</summary>
    private static async Task<IResult> ResellerPdf(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock,
        IClusterClient cluster, CancellationToken ct)
    {
        if (!TryParseReference(reference, out var y, out var m))
            return Problems.Field("reference", "Informe a referência como MM-AAAA ou AAAA-MM.");
        var row = (await LoadAsync(db, y, m, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {Screen(y, m)}."));
        var days = await DaysAsync(db, row, resellerId, y, m, ct);
        var doc = new TableDocument(
            "Fatura da revenda " + row.Nome,
            [
                new("Referência", Screen(y, m)), new("Situação", row.Closed ? "Fechada" : "Em aberto (parcial)"),
                new("DIDs", row.DidCount.ToString(PtBr)), new("Mensalidades DIDs", Brl(row.DidFees)),
                new("Completamento", Brl(row.Completion)), new("Saldo", Brl(row.Saldo)),
            ],
            [
                new TableSection("Chamadas recebidas por dia",
                    [new TableColumn("Dia", 2), new TableColumn("Chamadas", 1, true), new TableColumn("Minutos", 1, true), new TableColumn("Completamento", 2, true)],
                    days.Select(d => ImmutableArray.Create(d.Day.ToString("dd/MM/yyyy", PtBr), d.Calls.ToString(PtBr),
                        (d.Seconds / 60m).ToString("#,##0.0", PtBr), Brl(d.Saldo))).ToImmutableArray(),
                    ["Total", days.Sum(d => d.Calls).ToString(PtBr), (days.Sum(d => d.Seconds) / 60m).ToString("#,##0.0", PtBr), Brl(days.Sum(d => d.Saldo))]),
                new TableSection("DIDs cobrados", [new TableColumn("Número", 1)],
                    row.Dids.Select(n => ImmutableArray.Create(n)).ToImmutableArray()),
            ],
            clock.GetUtcNow());
        var pdf = await cluster.GetGrain<IReportGrain>(0).RenderPdf(doc);
        return TypedResults.File(pdf, "application/pdf", string.Create(CultureInfo.InvariantCulture, $"fatura-revenda-{resellerId}-{Key(y, m)}.pdf"));
    }

    private static async Task<IResult> Detail(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (!TryParseReference(reference, out var y, out var m))
            return Problems.Field("reference", "Informe a referência como MM-AAAA ou AAAA-MM.");
        var row = (await LoadAsync(db, y, m, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {Screen(y, m)}."));
        var days = await DaysAsync(db, row, resellerId, y, m, ct);
        return TypedResults.Ok(new
        {
            reference = Screen(y, m), resellerId, nome = row.Nome, didCount = row.DidCount, didFees = row.DidFees,
            completion = row.Completion, inboundCalls = row.Calls, inboundSeconds = row.Seconds, saldo = row.Saldo,
            closed = row.Closed, days,
        });
    }

    private static async Task<IResult> Dids(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (!TryParseReference(reference, out var y, out var m))
            return Problems.Field("reference", "Informe a referência como MM-AAAA ou AAAA-MM.");
        var row = (await LoadAsync(db, y, m, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {Screen(y, m)}."));
        return TypedResults.Ok(new { reference = Screen(y, m), resellerId, nome = row.Nome, didCount = row.DidCount, dids = row.Dids });
    }
}
