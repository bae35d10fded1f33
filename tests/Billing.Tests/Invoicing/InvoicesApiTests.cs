using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;
using CsvHelper;
using UglyToad.PdfPig;

namespace Billing.Tests.Invoicing;

[Collection(ClusterCollection.Name)]
public sealed class InvoicesApiTests(ClusterFixture cluster)
{
    private static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    private async Task<(long Customer, string Account, HttpClient Admin)> Circuit(decimal fee = 37.50m, string? customerName = null, long? customer = null)
    {
        var admin = cluster.AsAdmin();
        var cus = customer ?? await Seed.CustomerAsync(admin, customerName);
        var plan = await OldPlan(0.37m);
        var account = await Seed.CircuitAsync(admin, cus, plan);
        var r = await admin.PutAsJsonAsync($"/api/circuits/{account}", new
        {
            invoice = new { closingDay = 1, dueDays = 10, monthlyFee = fee, customFields = new[] { new { name = "Contrato", value = "CT-" + account } } },
        });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await Seed.CreditAsync(admin, account, 5000m);
        return (cus, account, admin);
    }

    /// <summary>A plan in force since 2020 (tests bill past periods).</summary>
    private async Task<string> OldPlan(decimal price)
    {
        var id = "pi" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.Simple(price, 1);
        var entries = System.Collections.Immutable.ImmutableDictionary<CallType, PlanEntry>.Empty
            .Add(CallType.LocalFixo, PlanEntry.Of(per)).Add(CallType.LocalMovel, PlanEntry.Of(per))
            .Add(CallType.LdnFixo, PlanEntry.Of(per)).Add(CallType.LdnMovel, PlanEntry.Of(per));
        await cluster.Grains.GetGrain<IPlanGrain>("plan:" + id).Create("Plano " + id, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), entries);
        return id;
    }

    /// <summary>Rated calls of the circuit with a start in <paramref name="period"/> (CDRs without prior authorization).</summary>
    private async Task Calls(string account, string period, int count, int seed = 1, DateTimeOffset? at = null)
    {
        var rnd = new Random(seed);
        var start = at ?? DateTimeOffset.ParseExact(period + "-10T12:00:00-03:00", "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var grain = cluster.Grains.Circuit(account);
        for (var i = 0; i < count; i++)
        {
            var inbound = i % 5 == 4;
            var r = await grain.Complete(new CompleteRequest
            {
                CallId = $"inv-{account}-{period}-{seed}-{i}",
                DurationSeconds = rnd.Next(1, 400),
                Destination = inbound ? "1133334444" : (i % 2 == 0 ? "1133334444" : "21988887777"),
                Direction = inbound ? CallDirection.Inbound : CallDirection.Outbound,
                StartedAt = start.AddMinutes(i),
                Source = "import",
            });
            Assert.True(r.Ok, $"{r.Status} {r.Field} {r.Reason}");
        }
    }

    private async Task<decimal> LedgerCalls(string account, string period)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(-sum(amount), 0) FROM ledger WHERE account = @a AND kind = 'call' AND period = @p");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("p", period);
        return (decimal)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<JsonElement> Generate(HttpClient admin, object body)
    {
        var r = await admin.PostAsJsonAsync("/api/invoices/generate", body);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return await r.JsonAsync();
    }

    private static long FirstId(JsonElement gen) => gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();

    private static Task<HttpResponseMessage> Status(HttpClient admin, long id, string status, bool notify = false) =>
        admin.PostAsJsonAsync($"/api/invoices/{id}/status", new { status, notifyCustomer = notify });

    [Fact]
    public async Task WhenAPeriodIsGeneratedTwice_ThenTheDraftEqualsTheLedgerToTheCentAndIsRecomputedInPlace()
    {
        var (_, account, admin) = await Circuit();
        await Calls(account, "2026-09", 40);
        var first = await Generate(admin, new { period = "2026-09", account });
        Assert.Equal(1, first.GetProperty("created").GetInt32());
        var id = FirstId(first);
        var inv = await (await admin.GetAsync($"/api/invoices/{id}")).JsonAsync();
        Assert.Equal("RASCUNHO", inv.GetProperty("status").GetString());
        Assert.False(inv.GetProperty("visibleToCustomer").GetBoolean());
        Assert.Equal(JsonValueKind.Null, inv.GetProperty("number").ValueKind);
        var calls = await LedgerCalls(account, "2026-09");
        Assert.Equal(calls, inv.GetProperty("callsTotal").GetDecimal());
        Assert.Equal(calls + 37.50m, inv.GetProperty("total").GetDecimal());
        Assert.Equal(40, inv.GetProperty("callsCount").GetInt32());
        Assert.Equal(8, inv.GetProperty("received").GetProperty("count").GetInt32());
        Assert.Equal(calls, inv.GetProperty("summary").EnumerateArray().Sum(t => t.GetProperty("amount").GetDecimal()));
        Assert.Equal(new DateOnly(2026, 10, 11), DateOnly.Parse(inv.GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture));

        await Calls(account, "2026-09", 3, seed: 2); // late CDRs while still a draft
        var again = await Generate(admin, new { period = "2026-09", account });
        Assert.Equal(1, again.GetProperty("regenerated").GetInt32());
        Assert.Equal(id, FirstId(again));
        var inv2 = await (await admin.GetAsync($"/api/invoices/{id}")).JsonAsync();
        Assert.Equal(43, inv2.GetProperty("callsCount").GetInt32());
        Assert.Equal(await LedgerCalls(account, "2026-09") + 37.50m, inv2.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task WhenTheCircuitHeldDidsInThePeriod_ThenTheirMonthlyFeesAreOnItsInvoice()
    {
        var (_, account, admin) = await Circuit();
        await Calls(account, "2026-08", 5);
        var reseller = await Billing.Tests.Resellers.ResellerSeed.ResellerAsync(admin);
        var from = new DateTimeOffset(2026, 7, 20, 12, 0, 0, TimeSpan.FromHours(-3));
        var did1 = await Billing.Tests.Resellers.ResellerSeed.DidAsync(admin, reseller, account, activeFrom: from, fee: 12.34m);
        var did2 = await Billing.Tests.Resellers.ResellerSeed.DidAsync(admin, reseller, account, activeFrom: from, fee: 5.00m);
        var gen = await Generate(admin, new { period = "2026-08", account });
        var inv = await (await admin.GetAsync($"/api/invoices/{FirstId(gen)}")).JsonAsync();
        Assert.Equal(17.34m, inv.GetProperty("didFeesTotal").GetDecimal());
        Assert.Equal(new[] { did1, did2 }.Order(StringComparer.Ordinal),
            inv.GetProperty("didFees").EnumerateArray().Select(d => d.GetProperty("number").GetString()!));
        Assert.Equal(await LedgerCalls(account, "2026-08") + 37.50m + 17.34m, inv.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task WhenAnInvoiceGoesThroughItsLifecycle_ThenIllegalTransitionsAre409AndEveryStepIsInTheHistory()
    {
        var (_, account, admin) = await Circuit();
        await Calls(account, "2026-08", 5);
        var id = FirstId(await Generate(admin, new { period = "2026-08", account }));

        var open = await Status(admin, id, "ABERTO");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        var opened = await open.JsonAsync();
        Assert.True(opened.GetProperty("number").GetInt64() > 0);
        Assert.True(opened.GetProperty("visibleToCustomer").GetBoolean());

        var back = await Status(admin, id, "RASCUNHO");
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode);
        Assert.Contains("RASCUNHO", (await back.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/invoices/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Status(admin, id, "PAGO")).StatusCode);

        // issued invoices are never recomputed; a late CDR of the period goes to the next invoice
        await Calls(account, "2026-08", 1, seed: 9);
        var regen = await Generate(admin, new { period = "2026-08", account });
        Assert.Equal(1, regen.GetProperty("unchanged").GetInt32());
        var next = await (await admin.GetAsync($"/api/invoices/{FirstId(await Generate(admin, new { period = "2026-09", account }))}")).JsonAsync();
        Assert.Equal(1, next.GetProperty("lateCalls").GetInt32());
        Assert.Equal(1, next.GetProperty("callsCount").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await Status(admin, id, "FECHADO")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Status(admin, id, "ANULADO")).StatusCode);
        var after = await Status(admin, id, "ABERTO");
        Assert.Equal(HttpStatusCode.Conflict, after.StatusCode);

        var history = await (await admin.GetAsync($"/api/invoices/{id}/history")).JsonAsync();
        var steps = history.EnumerateArray().Where(h => h.GetProperty("action").GetString() == "status")
            .Select(h => h.GetProperty("from").GetString() + ">" + h.GetProperty("to").GetString()).ToList();
        Assert.Equal(["RASCUNHO>ABERTO", "ABERTO>FECHADO", "FECHADO>ANULADO"], steps);
        Assert.All(history.EnumerateArray(), h => Assert.False(string.IsNullOrEmpty(h.GetProperty("actor").GetString())));

        // a draft can be discarded
        var draftId = FirstId(await Generate(admin, new { period = "2026-07", account }));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/invoices/{draftId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/invoices/{draftId}")).StatusCode);
    }

    [Fact]
    public async Task WhenManyDraftsAreIssuedConcurrently_ThenTheNumbersAreGapFreeAndUnique()
    {
        var (_, account, admin) = await Circuit(fee: 10m);
        var periods = Enumerable.Range(0, 24).Select(i => new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture)).ToList();
        var ids = new List<long>();
        foreach (var p in periods) ids.Add(FirstId(await Generate(admin, new { period = p, account })));
        var responses = await Task.WhenAll(ids.Select(id => Status(admin, id, "ABERTO")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var numbers = new List<long>();
        foreach (var r in responses) numbers.Add((await r.JsonAsync()).GetProperty("number").GetInt64());
        Assert.Equal(ids.Count, numbers.Distinct().Count());
        Assert.Equal(ids.Count - 1, numbers.Max() - numbers.Min());
        await using var cmd = cluster.Db.CreateCommand("SELECT last_number FROM invoice_counters WHERE issuer = 'operadora'");
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= numbers.Max());
    }

    [Fact]
    public async Task WhenACustomerHasSeveralCircuits_ThenTheConsolidatedTotalIsTheSumOfItsCircuitsAndOfTheCalls()
    {
        var (customer, a1, admin) = await Circuit(fee: 10m);
        var (_, a2, _) = await Circuit(fee: 20m, customer: customer);
        await Calls(a1, "2026-06", 12, seed: 3);
        await Calls(a2, "2026-06", 7, seed: 4);
        var gen = await Generate(admin, new { period = "2026-06", customerId = customer });
        Assert.Equal(2, gen.GetProperty("created").GetInt32());
        var res = await (await admin.GetAsync($"/api/customers/{customer}/invoices?from=2026-06&to=2026-06")).JsonAsync();
        var period = Assert.Single(res.GetProperty("periods").EnumerateArray());
        var invoices = period.GetProperty("invoices").EnumerateArray().ToList();
        Assert.Equal(2, invoices.Count);
        var expected = await LedgerCalls(a1, "2026-06") + await LedgerCalls(a2, "2026-06") + 30m;
        Assert.Equal(expected, period.GetProperty("total").GetDecimal());
        Assert.Equal(expected, invoices.Sum(i => i.GetProperty("total").GetDecimal()));

        var list = await (await admin.GetAsync($"/api/invoices?customerId={customer}&status=RASCUNHO&pageSize=10")).JsonAsync();
        Assert.Equal(2, list.GetProperty("total").GetInt64());
        Assert.All(list.GetProperty("items").EnumerateArray(), i => Assert.False(i.GetProperty("visibleToCustomer").GetBoolean()));

        // open period, live from the circuit grains
        var now = DateTimeOffset.UtcNow;
        await Calls(a1, BillingPeriod.Of(now).Key, 4, seed: 5, at: now.AddMinutes(-30));
        var open = await (await admin.GetAsync($"/api/customers/{customer}/open-invoice")).JsonAsync();
        var circuits = open.GetProperty("circuits").EnumerateArray().ToList();
        Assert.Equal(2, circuits.Count);
        var live = await LedgerCalls(a1, BillingPeriod.Of(now).Key);
        Assert.Equal(live + 10m, circuits.Single(c => c.GetProperty("account").GetString() == a1).GetProperty("total").GetDecimal());
        Assert.Equal(live + 30m, open.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task WhenDocumentsAreDownloaded_ThenPdfShowsCustomerAndTotalAndDetailedCsvEqualsTheLedger()
    {
        var name = "Elza Eletrônica Ltda " + Guid.NewGuid().ToString("N")[..4];
        var (_, account, admin) = await Circuit(customerName: name);
        await Calls(account, "2026-05", 25, seed: 6);
        var id = FirstId(await Generate(admin, new { period = "2026-05", account }));
        var inv = await (await Status(admin, id, "ABERTO")).JsonAsync();
        var total = inv.GetProperty("total").GetDecimal();
        var totalText = "R$ " + total.ToString("#,##0.00", PtBr);

        var pdf = await admin.GetAsync($"/api/invoices/{id}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType!.MediaType);
        using (var doc = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync()))
        {
            var text = string.Join("\n", doc.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
            foreach (var word in name.Split(' ')) Assert.Contains(word, text, StringComparison.Ordinal);
            Assert.Contains(totalText.Replace("R$ ", "", StringComparison.Ordinal), text, StringComparison.Ordinal);
            Assert.Contains("R$", text, StringComparison.Ordinal);
            Assert.Contains("ABERTO", text, StringComparison.Ordinal);
            Assert.Contains("CT-" + account, text, StringComparison.Ordinal);
        }

        var csv = await (await admin.GetAsync($"/api/invoices/{id}/csv")).Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], csv[..3]);
        var csvText = Encoding.UTF8.GetString(csv, 3, csv.Length - 3);
        Assert.Contains("Total;;;" + total.ToString("#,##0.00", PtBr), csvText, StringComparison.Ordinal);
        Assert.Contains("CPF/CNPJ;", csvText, StringComparison.Ordinal);

        var detailed = await (await admin.GetAsync($"/api/invoices/{id}/csv-detailed")).Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], detailed[..3]);
        using var reader = CsvReader.FromText(Encoding.UTF8.GetString(detailed, 3, detailed.Length - 3),
            CsvReaderOptions.Default with { Separator = ';', HasHeader = true });
        var rows = new Dictionary<string, decimal>(StringComparer.Ordinal);
        while (reader.Read())
            rows[reader.GetString(0)!] = decimal.Parse(reader.GetString(9)!, NumberStyles.Number, PtBr);
        await using var cmd = cluster.Db.CreateCommand("SELECT call_id, -amount FROM ledger WHERE account = @a AND kind = 'call' AND period = '2026-05'");
        cmd.Parameters.AddWithValue("a", account);
        var ledger = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) ledger[r.GetString(0)] = r.GetDecimal(1);
        Assert.Equal(ledger.OrderBy(k => k.Key, StringComparer.Ordinal), rows.OrderBy(k => k.Key, StringComparer.Ordinal));

        var print = await admin.GetAsync($"/api/invoices/{id}/print");
        Assert.Equal("text/html", print.Content.Headers.ContentType!.MediaType);
        var html = await print.Content.ReadAsStringAsync();
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(totalText), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenIssuedWithNotification_ThenTheEmailIsQueuedInTheOutboxWithTheChange()
    {
        var (customer, account, admin) = await Circuit();
        var c = await admin.PostAsJsonAsync($"/api/customers/{customer}/contacts", new { nome = "Financeiro", email = "financeiro@example.com" });
        Assert.True(c.IsSuccessStatusCode, await c.Content.ReadAsStringAsync());
        await Calls(account, "2026-04", 2);
        var id = FirstId(await Generate(admin, new { period = "2026-04", account }));
        Assert.Equal(HttpStatusCode.OK, (await Status(admin, id, "ABERTO", notify: true)).StatusCode);
        var outbox = await (await admin.GetAsync("/api/outbox")).JsonAsync();
        var mail = outbox.EnumerateArray().Single(m => m.TryGetProperty("invoiceId", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt64() == id);
        Assert.Equal("financeiro@example.com", mail.GetProperty("recipients")[0].GetString());
    }

    [Fact]
    public async Task WhenTheCircuitIsCreated_ThenItsPeriodCloseReminderIsScheduledAndATickDraftsTheClosedPeriod()
    {
        var (_, account, _) = await Circuit();
        var closed = BillingPeriod.Of(DateTimeOffset.UtcNow.AddMonths(-1)).Key;
        await Calls(account, closed, 3, seed: 8);
        var scheduler = cluster.Grains.InvoiceScheduler(account);
        Assert.NotNull(await scheduler.NextDue());
        var results = await scheduler.Tick();
        var r = results.Single(x => x.Period == closed);
        Assert.Equal("created", r.Action);
        Assert.Equal(await LedgerCalls(account, closed) + 37.50m, r.Total);
        Assert.Equal("regenerated", (await scheduler.Tick()).Single(x => x.Period == closed).Action);
    }

    [Fact]
    public async Task WhenTheCustomerIsRenamedAfterIssuing_ThenTheIssuedDocumentKeepsTheDataItWasIssuedWith()
    {
        var (customer, account, admin) = await Circuit(customerName: "Psicomed Ltda");
        var id = FirstId(await Generate(admin, new { period = "2026-02", account }));
        Assert.Equal(HttpStatusCode.OK, (await Status(admin, id, "ABERTO")).StatusCode);
        var current = await (await admin.GetAsync($"/api/customers/{customer}")).JsonAsync();
        var r = await admin.PutAsJsonAsync($"/api/customers/{customer}", new
        {
            nome = "Outro Nome SA", documento = current.GetProperty("documento").GetString(), cep = "01310-100", uf = "SP", cidade = "São Paulo",
        });
        Assert.True(r.IsSuccessStatusCode, await r.Content.ReadAsStringAsync());
        var html = await (await admin.GetAsync($"/api/invoices/{id}/print")).Content.ReadAsStringAsync();
        Assert.Contains("Psicomed Ltda", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Outro Nome SA", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenACircuitMovesToAnotherCustomer_ThenPastPeriodsStayWithTheOldCustomerAndTheOpenOneGoesToTheNew()
    {
        var (oldCustomer, account, admin) = await Circuit(fee: 5m);
        var newCustomer = await Seed.CustomerAsync(admin);
        await Calls(account, "2026-01", 3, seed: 12);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/circuits/{account}/move", new { customerId = newCustomer })).StatusCode);

        var past = await (await admin.GetAsync($"/api/invoices/{FirstId(await Generate(admin, new { period = "2026-01", customerId = oldCustomer }))}")).JsonAsync();
        Assert.Equal(oldCustomer, past.GetProperty("customerId").GetInt64());
        var open = BillingPeriod.Of(DateTimeOffset.UtcNow).Key;
        var current = await (await admin.GetAsync($"/api/invoices/{FirstId(await Generate(admin, new { period = open, account }))}")).JsonAsync();
        Assert.Equal(newCustomer, current.GetProperty("customerId").GetInt64());

        var oldView = await (await admin.GetAsync($"/api/customers/{oldCustomer}/invoices")).JsonAsync();
        Assert.Equal(["2026-01"], oldView.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("period").GetString()));
        var newView = await (await admin.GetAsync($"/api/customers/{newCustomer}/invoices")).JsonAsync();
        Assert.Equal([open], newView.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("period").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Status(admin, long.MaxValue, "ABERTO")).StatusCode);
    }
}
