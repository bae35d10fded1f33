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

    private sealed record Statement(long ResellerId, string Nome, int DidCount, string[] Dids, decimal DidFees, decimal Completion,
        int Calls, long Seconds, bool Closed)
    {
        public decimal Saldo => DidFees + Completion;
    }

    /// <summary>Every reseller's statement of the month: the frozen rows once the month was closed, else computed live (read only).</summary>
    private static async Task<List<Statement>> LoadAsync(NpgsqlDataSource db, BillingPeriod period, CancellationToken ct)
    {
        var key = period.Key;
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
        cmd.Parameters.AddWithValue("ref", key);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add(Read(r, closed: false));
        return list;
    }

    private static Statement Read(NpgsqlDataReader r, bool closed) =>
        new(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<string[]>(3), r.GetDecimal(4), r.GetDecimal(5),
            r.GetInt32(6), r.GetInt64(7), closed);

    private static List<ResellerStatementRow> Rows(List<Statement> current, List<Statement>? compare, BillingPeriod period, string? search)
    {
        var key = Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(search);
        var previous = compare?.ToDictionary(x => x.ResellerId);
        return current
            .Where(x => key.Length == 0 || Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(x.Nome).Contains(key, StringComparison.Ordinal))
            .OrderBy(x => Billing.GrainInterfaces.Registration.CustomerRules.SearchKey(x.Nome), StringComparer.Ordinal).ThenBy(x => x.ResellerId)
            .Select(x =>
            {
                decimal? other = previous is null ? null : previous.TryGetValue(x.ResellerId, out var p) ? p.Saldo : 0m;
                return new ResellerStatementRow(period.Label, x.ResellerId, x.Nome, x.DidCount, x.DidFees, x.Completion,
                    x.Calls, x.Seconds, x.Saldo, x.Closed, other, other is null ? null : x.Saldo - other);
            })
            .ToList();
    }

    private static async Task<(List<ResellerStatementRow>? Rows, IResult? Problem, BillingPeriod Period)> QueryAsync(
        NpgsqlDataSource db, TimeProvider clock, string? reference, string? compareTo, string? search, CancellationToken ct)
    {
        var today = SaoPauloTime.Today(clock);
        if ((BillingPeriod.Read(reference, "reference", out var period) ?? period.OutsideWindow("reference", today, futureYears: 1)) is { } badReference)
            return (null, Problems.Field("reference", badReference), default);
        List<Statement>? compare = null;
        if (compareTo is not null)
        {
            if ((BillingPeriod.Read(compareTo, "compareTo", out var other) ?? other.OutsideWindow("compareTo", today, futureYears: 1)) is { } badCompare)
                return (null, Problems.Field("compareTo", badCompare), default);
            compare = await LoadAsync(db, other, ct);
        }
        if (search is { Length: > 200 }) return (null, Problems.Field("search", "Busca com no máximo 200 caracteres."), default);
        var current = await LoadAsync(db, period, ct);
        return (Rows(current, compare, period, search), null, period);
    }

    internal static async Task<IResult> List(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, string? reference = null,
        string? compareTo = null, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (errors.Any) return errors.ToProblem();
        var (rows, problem, period) = await QueryAsync(db, clock, reference, compareTo, search, ct);
        if (problem is not null) return problem;
        var paged = Paging.Of(rows!.Skip((p - 1) * size).Take(size).ToList(), p, size, rows!.Count);
        string? cmp = compareTo is not null && BillingPeriod.TryParse(compareTo, out var other) ? other.Label : null;
        return TypedResults.Ok(new ResellerStatementPage(period.Label, cmp, paged.Items, paged.Page, paged.PageSize, paged.Total,
            paged.TotalPages, rows.Sum(r => r.Saldo)));
    }

    private static string Money(decimal d) => GrainInterfaces.Common.Money.Number(d);

    /// <summary>Same rows as the JSON query (all pages), pt-BR formatting, ';' separated, UTF-8 with BOM (opens in Excel).</summary>
    internal static async Task<IResult> Csv(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct, string? reference = null,
        string? compareTo = null, string? search = null)
    {
        var (rows, problem, period) = await QueryAsync(db, clock, reference, compareTo, search, ct);
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
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"faturas-revenda-{period.Key}.csv");
    }

    private static async Task<List<ResellerStatementDay>> DaysAsync(NpgsqlDataSource db, Statement row, long resellerId, BillingPeriod period, CancellationToken ct)
    {
        var days = new List<ResellerStatementDay>();
        await using var cmd = row.Closed
            ? db.CreateCommand("SELECT day, calls, seconds, amount FROM reseller_statement_days WHERE reference = @ref AND reseller_id = @id ORDER BY day")
            : db.CreateCommand($"SELECT d.day, d.calls, d.secs, d.amount FROM ({ResellerStatementMonth.DaysSql} AND reseller_id = @id GROUP BY 1, 2) AS d(rid, day, calls, secs, amount) ORDER BY d.day");
        cmd.Parameters.AddWithValue("ref", period.Key);
        cmd.Parameters.AddWithValue("id", resellerId);
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
        var (rows, problem, period) = await QueryAsync(db, clock, reference, compareTo, search, ct);
        if (problem is not null) return problem;
        var columns = ImmutableArray.Create(
            new TableColumn("Nome Revenda", 4), new TableColumn("DIDs", 1, true), new TableColumn("Mensalidades DIDs", 2, true),
            new TableColumn("Completamento", 2, true), new TableColumn("Saldo", 2, true));
        var table = rows!.Select(r => ImmutableArray.Create(r.Nome, r.DidCount.ToString(PtBr), Brl(r.DidFees), Brl(r.Completion), Brl(r.Saldo))).ToImmutableArray();
        var doc = new TableDocument(
            "Faturas Fechadas Revenda",
            [new("Referência", period.Label), new("Revendas", rows!.Count.ToString(PtBr)), new("Moeda", "BRL")],
            [new TableSection("Revendas", columns, table,
                ["Total", rows.Sum(r => r.DidCount).ToString(PtBr), Brl(rows.Sum(r => r.DidFees)), Brl(rows.Sum(r => r.Completion)), Brl(rows.Sum(r => r.Saldo))])],
            clock.GetUtcNow());
        var pdf = await cluster.GetGrain<IReportGrain>(0).RenderPdf(doc);
        return TypedResults.File(pdf, "application/pdf", $"faturas-revenda-{period.Key}.pdf");
    }

    /// <summary>One reseller's statement of the month as a PDF: totals, inbound minutes per day, DIDs charged.</summary>
    private static async Task<IResult> ResellerPdf(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock,
        IClusterClient cluster, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = (await LoadAsync(db, period, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        var days = await DaysAsync(db, row, resellerId, period, ct);
        var doc = new TableDocument(
            "Fatura da revenda " + row.Nome,
            [
                new("Referência", period.Label), new("Situação", row.Closed ? "Fechada" : "Em aberto (parcial)"),
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
        return TypedResults.File(pdf, "application/pdf", string.Create(CultureInfo.InvariantCulture, $"fatura-revenda-{resellerId}-{period.Key}.pdf"));
    }

    private static async Task<IResult> Detail(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = (await LoadAsync(db, period, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        var days = await DaysAsync(db, row, resellerId, period, ct);
        return TypedResults.Ok(new
        {
            reference = period.Label, resellerId, nome = row.Nome, didCount = row.DidCount, didFees = row.DidFees,
            completion = row.Completion, inboundCalls = row.Calls, inboundSeconds = row.Seconds, saldo = row.Saldo,
            closed = row.Closed, days,
        });
    }

    private static async Task<IResult> Dids(long resellerId, string reference, NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = (await LoadAsync(db, period, ct)).FirstOrDefault(x => x.ResellerId == resellerId);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        return TypedResults.Ok(new { reference = period.Label, resellerId, nome = row.Nome, didCount = row.DidCount, dids = row.Dids });
    }
}
