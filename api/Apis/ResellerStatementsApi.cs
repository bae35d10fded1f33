using System.Globalization;
using System.Collections.Immutable;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Documents;
using Billing.GrainInterfaces.Resellers;
using Billing.GrainInterfaces.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Billing.Api.Apis;

/// <summary>
/// One row of "Faturas Fechadas Revenda": Saldo (the seed's "Saldo do dia (R$)") = DID fees + inbound call completion of the
/// month; <see cref="Dids"/> is the seed's "Lista DIDs"; the Compare* fields are the compared month's (when asked).
/// </summary>
public sealed record ResellerStatementRow(
    string Reference, long ResellerId, string Nome, int DidCount, decimal DidFees, decimal Completion, int InboundCalls,
    long InboundSeconds, decimal Saldo, bool Closed, decimal? CompareSaldo = null, decimal? Difference = null,
    int? CompareDidCount = null, IReadOnlyList<string>? Dids = null);

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

    /// <summary>The JSON page of the month (GET /api/reports/reseller-statements).</summary>
    private static async Task<Results<Ok<ResellerStatementPage>, ValidationProblem, ProblemHttpResult>> List(ResellerQueries queries,
        CancellationToken ct, string? reference = null, string? compareTo = null, string? search = null, int? page = null, int? pageSize = null)
    {
        var errors = new FieldErrors();
        var (p, size) = Paging.Read(page, pageSize, errors);
        if (errors.Any) return errors.ToProblem();
        return (await queries.Page(reference, compareTo, search, p, size, ct)).ToHttp(v => TypedResults.Ok(v));
    }

    /// <summary>Same rows as the JSON query (all pages), pt-BR formatting, ';' separated, UTF-8 with BOM (opens in Excel).</summary>
    private static async Task<IResult> Csv(ResellerQueries queries, CancellationToken ct, string? reference = null,
        string? compareTo = null, string? search = null) =>
        (await queries.Csv(reference, compareTo, search, ct)).ToHttp(f => TypedResults.File(f.Content, "text/csv; charset=utf-8", f.FileName));

    private static async Task<(List<ResellerStatementRow>? Rows, IResult? Problem, BillingPeriod Period)> QueryAsync(
        ResellerQueries queries, string? reference, string? compareTo, string? search, CancellationToken ct)
    {
        var q = await queries.Statements(reference, compareTo, search, ct);
        if (!q.IsOk) return (null, CommandResults.ToProblem(q.WithoutValue()), default);
        return (q.Value!.Rows.ToList(), null, q.Value.Period);
    }

    private static string Brl(decimal d) => GrainInterfaces.Common.Money.Format(d);

    /// <summary>The month's statements of every reseller (same rows and filters as the JSON and CSV) as a PDF.</summary>
    private static async Task<IResult> Pdf(ResellerQueries queries, TimeProvider clock, IClusterClient cluster, CancellationToken ct,
        string? reference = null, string? compareTo = null, string? search = null)
    {
        var (rows, problem, period) = await QueryAsync(queries, reference, compareTo, search, ct);
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
    private static async Task<IResult> ResellerPdf(long resellerId, string reference, ResellerQueries queries, TimeProvider clock,
        IClusterClient cluster, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = await queries.Statement(resellerId, period, ct);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        var days = await queries.Days(row, period, ct);
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

    private static async Task<IResult> Detail(long resellerId, string reference, ResellerQueries queries, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = await queries.Statement(resellerId, period, ct);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        var days = await queries.Days(row, period, ct);
        return TypedResults.Ok(new
        {
            reference = period.Label, resellerId, nome = row.Nome, didCount = row.DidCount, didFees = row.DidFees,
            completion = row.Completion, inboundCalls = row.Calls, inboundSeconds = row.Seconds, saldo = row.Saldo,
            closed = row.Closed, days,
        });
    }

    private static async Task<IResult> Dids(long resellerId, string reference, ResellerQueries queries, CancellationToken ct)
    {
        if (BillingPeriod.Read(reference, "reference", out var period) is { } badReference) return Problems.Field("reference", badReference);
        var row = await queries.Statement(resellerId, period, ct);
        if (row is null) return Problems.NotFound(string.Create(CultureInfo.InvariantCulture, $"Sem fatura da revenda {resellerId} em {period.Label}."));
        return TypedResults.Ok(new { reference = period.Label, resellerId, nome = row.Nome, didCount = row.DidCount, dids = row.Dids });
    }
}
