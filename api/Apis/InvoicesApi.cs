using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;

namespace Billing.Api.Apis;

public sealed record GenerateRequest(string? Period, string? Account, long? CustomerId);

public sealed record GenerateResponse(string Period, int Created, int Regenerated, int Unchanged, int Skipped, IReadOnlyList<GenerateOutcome> Results);

public sealed record StatusRequest(string? Status, bool? NotifyCustomer);

public sealed record InvoiceResponse(
    long Id, long? Number, string DocumentNumber, string Account, string CircuitName, long CustomerId, string Period,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Issuer, string Status, bool VisibleToCustomer, string Currency,
    DateOnly DueDate, decimal MonthlyFee, int CallsCount, decimal CallsTotal, decimal Total,
    IReadOnlyList<InvoiceTypeSummary> Summary, InvoiceDirectionSummary Made, InvoiceDirectionSummary Received,
    int LateCalls, decimal LateTotal, IReadOnlyList<InvoiceCustomField> CustomFields, DateTimeOffset GeneratedAt, DateTimeOffset? IssuedAt,
    IReadOnlyList<InvoiceDidFee> DidFees, decimal DidFeesTotal,
    DateTimeOffset? PaidAt, decimal? PaidAmount, string? PaymentMethod, IReadOnlyList<InvoiceCreditLine> Credits, decimal CreditsTotal)
{
    public static InvoiceResponse From(InvoiceView v) => new(
        v.Id, v.Number, v.DocumentNumber, v.Account, v.CircuitName, v.CustomerId, v.Period, v.PeriodStart, v.PeriodEnd, v.Issuer,
        v.Status, v.VisibleToCustomer, v.Currency, v.DueDate, v.Content.MonthlyFee, v.Content.CallsCount, v.Content.CallsTotal,
        v.Content.Total, v.Content.ByType, v.Content.Made, v.Content.Received, v.Content.LateCalls, v.Content.LateTotal,
        v.CustomFields, v.GeneratedAt, v.IssuedAt, v.Content.DidFees, v.Content.DidFeesTotal,
        v.PaidAt, v.PaidAmount, v.PaymentMethod, v.Content.Credits, v.Content.CreditsTotal);
}

public sealed record InvoiceListItem(
    long Id, long? Number, string Account, string CircuitName, long CustomerId, string Period, string Status,
    bool VisibleToCustomer, DateOnly DueDate, int CallsCount, decimal Total, DateTimeOffset? IssuedAt);

public sealed record InvoiceHistoryItem(long Id, DateTimeOffset At, string Actor, string Action, string? From, string? To, long? Number, bool Notify, string? Detail);

public sealed record CustomerPeriod(string Period, IReadOnlyList<InvoiceListItem> Invoices, decimal Total);

public sealed record CustomerInvoicesResponse(long CustomerId, IReadOnlyList<CustomerPeriod> Periods, decimal Total);

public sealed record OpenCircuit(string Account, string Name, string Period, int Calls, decimal CallsTotal, decimal MonthlyFee, decimal Total, IReadOnlyList<TypeTotals> ByType);

public sealed record OpenInvoiceResponse(long CustomerId, IReadOnlyList<OpenCircuit> Circuits, decimal Total, DateTimeOffset AsOf);

public sealed record OutboxItem(long Id, string Kind, long? InvoiceId, IReadOnlyList<string> Recipients, string Subject, string Status,
    int Attempts, DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>Invoices: generation, lifecycle, lists, customer consolidation, documents and the e-mail outbox.</summary>
public static class InvoicesApi
{
    public static IEndpointRouteBuilder MapInvoicesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/invoices").WithTags("Faturas").RequireAuthorization(Policies.Admin);
        g.MapPost("/generate", Generate);
        g.MapGet("/", List);
        g.MapGet("/{id:long}", Get);
        g.MapPost("/{id:long}/status", ChangeStatus);
        g.MapDelete("/{id:long}", Discard);
        g.MapGet("/{id:long}/history", History);
        g.MapGet("/{id:long}/pdf", (long id, InvoiceService s) => Document(id, InvoiceDocumentKind.Pdf, s));
        g.MapGet("/{id:long}/csv", (long id, InvoiceService s) => Document(id, InvoiceDocumentKind.Csv, s));
        g.MapGet("/{id:long}/csv-detailed", (long id, InvoiceService s) => Document(id, InvoiceDocumentKind.CsvDetailed, s));
        g.MapGet("/{id:long}/print", (long id, InvoiceService s) => Document(id, InvoiceDocumentKind.Print, s));

        var cus = app.MapGroup("/api/customers").WithTags("Faturas").RequireAuthorization(Policies.Admin);
        cus.MapGet("/{id:long}/open-invoice", OpenInvoice);
        cus.MapGet("/{id:long}/invoices", CustomerInvoices);

        app.MapGet("/api/outbox", Outbox).WithTags("Faturas").RequireAuthorization(Policies.Admin);
        return app;
    }

    private static async Task<IResult> Generate(GenerateRequest body, IClusterClient cluster, InvoiceQueries invoices, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if ((BillingPeriod.Read(body.Period, "period", out var typed) ?? typed.OutsideWindow("period", SaoPauloTime.Today(clock))) is { } badPeriod)
            errors.Add("period", badPeriod);
        if (body.Account is not null && !CircuitKeys.IsValidAccount(body.Account)) errors.Add("account", "Número de circuito inválido.");
        if (body.CustomerId is <= 0) errors.Add("customerId", "Cliente inválido.");
        if (errors.Any) return errors.ToProblem();
        var period = typed.Key;
        var accounts = await invoices.GenerateAccounts(body.Account, body.CustomerId, ct);
        if (body.Account is not null && accounts.Count == 0) return Problems.NotFound($"Circuito {body.Account} não encontrado.");
        var actor = CommandResults.Actor(http);
        var results = new GenerateOutcome[accounts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => results[i] = await cluster.InvoiceScheduler(accounts[i]).Generate(period, actor));
        int Count(string a) => results.Count(r => r.Action == a);
        return TypedResults.Ok(new GenerateResponse(period, Count("created"), Count("regenerated"), Count("unchanged_issued"), Count("skipped"), results));
    }

    private static async Task<IResult> Get(long id, InvoiceService invoices)
    {
        var v = await invoices.Get(id);
        return v is null ? Problems.NotFound($"Fatura {id} não encontrada.") : TypedResults.Ok(InvoiceResponse.From(v));
    }

    private static async Task<IResult> ChangeStatus(long id, StatusRequest body, InvoiceService invoices, HttpContext http) =>
        (await invoices.ChangeStatus(id, body.Status, body.NotifyCustomer ?? true, CommandResults.Actor(http)))
        .ToHttp(v => TypedResults.Ok(InvoiceResponse.From(v)));

    private static async Task<IResult> Discard(long id, InvoiceService invoices, HttpContext http) =>
        (await invoices.Discard(id, CommandResults.Actor(http))).ToNoContent();

    private static async Task<IResult> Document(long id, InvoiceDocumentKind kind, InvoiceService invoices) =>
        CommandResults.DocumentFile(await invoices.Document(id, kind), kind, $"Fatura {id} não encontrada.");

    private static async Task<IResult> History(long id, InvoiceDetailQueries queries, CancellationToken ct)
    {
        var items = await queries.History(id, ct);
        return items.Count == 0 ? Problems.NotFound($"Fatura {id} não encontrada.") : TypedResults.Ok(items);
    }

    private static async Task<IResult> List(InvoiceQueries invoices, CancellationToken ct, long? customerId = null, string? account = null,
        string? from = null, string? to = null, string? status = null, int? page = null, int? pageSize = null) =>
        (await invoices.List(customerId, account, from, to, status, page, pageSize, ct)).ToHttp(TypedResults.Ok);

    private static async Task<IResult> CustomerInvoices(long id, InvoiceQueries invoices, CancellationToken ct,
        string? from = null, string? to = null, string? status = null)
    {
        var errors = new FieldErrors();
        var f = InvoiceQueries.PeriodArg(from, "from", errors);
        var t = InvoiceQueries.PeriodArg(to, "to", errors);
        var s = InvoiceQueries.StatusArg(status, errors);
        if (errors.Any) return errors.ToProblem();
        if (!await invoices.CustomerExists(id, ct)) return Problems.NotFound($"Cliente {id} não encontrado.");
        var items = await invoices.OfCustomer(id, f, t, s, ct);
        var periods = items.GroupBy(i => i.Period, StringComparer.Ordinal)
            .Select(g => new CustomerPeriod(g.Key, g.ToList(), g.Where(i => i.Status != InvoiceStatus.Anulado).Sum(i => i.Total)))
            .ToList();
        return TypedResults.Ok(new CustomerInvoicesResponse(id, periods, periods.Sum(x => x.Total)));
    }

    /// <summary>The open (not yet closed) period of each of the customer's circuits, live from the circuit grains in parallel.</summary>
    private static async Task<IResult> OpenInvoice(long id, IClusterClient cluster, InvoiceQueries invoices, TimeProvider clock, CancellationToken ct)
    {
        if (!await invoices.CustomerExists(id, ct)) return Problems.NotFound($"Cliente {id} não encontrado.");
        var accounts = await invoices.CustomerAccounts(id, ct);
        var now = clock.GetUtcNow();
        var circuits = await Task.WhenAll(accounts.Select(async a =>
        {
            var grain = cluster.Circuit(a);
            var view = await grain.Get();
            if (view is null) return null;
            var period = BillingPeriod.Of(now, view.Data.Invoice.ClosingDay).Key;
            var totals = await grain.GetPeriodTotals(period);
            var calls = totals?.Total ?? 0m;
            var fee = view.Data.Invoice.MonthlyFee;
            return new OpenCircuit(a, view.Data.Name, period, totals?.ByType.Sum(x => x.Count) ?? 0, calls, fee, calls + fee,
                totals?.ByType ?? []);
        }));
        var list = circuits.Where(c => c is not null).Select(c => c!).ToList();
        return TypedResults.Ok(new OpenInvoiceResponse(id, list, list.Sum(c => c.Total), now));
    }

    private static async Task<IResult> Outbox(InvoiceQueries invoices, CancellationToken ct, string? status = null)
    {
        string? s = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            s = status.Trim().ToUpperInvariant();
            if (s is not ("PENDENTE" or "ENVIADO" or "FALHOU")) return Problems.Field("status", "Use PENDENTE, ENVIADO ou FALHOU.");
        }
        return TypedResults.Ok(await invoices.Outbox(s, ct));
    }
}
