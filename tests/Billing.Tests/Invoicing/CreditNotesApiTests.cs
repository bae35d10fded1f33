using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Invoicing;
using Billing.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Billing.Tests.Invoicing;

/// <summary>
/// Credit notes (issue 19) through <c>/api/invoices/{id}/credit-notes</c> on the shared cluster and real PostgreSQL:
/// deducted on the next invoices of a postpaid circuit (carry-over), credited once to a prepaid circuit's ledger, capped
/// at the invoice total (also under concurrency, through the API and straight against the store as two silos would),
/// numbered without gaps, idempotent, validated, with a PDF and the <c>invoice.credited</c> webhook.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CreditNotesApiTests(ClusterFixture cluster)
{
    /// <summary>A circuit (own customer) on a 0,60/min per-second plan in force since 2020, with <paramref name="fee"/> a month.</summary>
    private async Task<(string Account, HttpClient Admin)> CircuitAsync(decimal fee, string billingMode, decimal credit = 0m)
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var plan = "pcn" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.Simple(0.60m, 1);
        await cluster.Grains.GetGrain<IPlanGrain>("plan:" + plan).Create("Plano " + plan, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            System.Collections.Immutable.ImmutableDictionary<CallType, PlanEntry>.Empty
                .Add(CallType.LocalFixo, PlanEntry.Of(per)).Add(CallType.LocalMovel, PlanEntry.Of(per)));
        var account = await Seed.CircuitAsync(admin, customer, plan, billingMode: billingMode, creditLimit: billingMode == "postpaid" ? 1000m : 0m);
        await SetFeeAsync(admin, account, fee);
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        return (account, admin);
    }

    private static async Task SetFeeAsync(HttpClient admin, string account, decimal fee) =>
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{account}",
            new { invoice = new { closingDay = 1, dueDays = 10, monthlyFee = fee } })).StatusCode);

    /// <summary>The period's invoice, generated and (unless <paramref name="status"/> is null) issued.</summary>
    private static async Task<long> InvoiceAsync(HttpClient admin, string account, string period, string? status = "ABERTO")
    {
        var gen = await admin.PostAsJsonAsync("/api/invoices/generate", new { period, account });
        Assert.True(gen.StatusCode == HttpStatusCode.OK, await gen.Content.ReadAsStringAsync());
        var id = (await gen.JsonAsync()).GetProperty("results")[0].GetProperty("invoiceId").GetInt64();
        if (status is not null)
            (await admin.PostAsJsonAsync($"/api/invoices/{id}/status", new { status, notifyCustomer = false })).EnsureSuccessStatusCode();
        return id;
    }

    private static Task<HttpResponseMessage> NoteAsync(HttpClient admin, long invoice, decimal amount, string? key = null, string reason = "Ligações cobradas em duplicidade") =>
        admin.PostAsJsonAsync($"/api/invoices/{invoice}/credit-notes", new { amount, reason, idempotencyKey = key ?? Guid.NewGuid().ToString("N") });

    private static async Task<JsonElement> CreatedAsync(Task<HttpResponseMessage> call)
    {
        var r = await call;
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.JsonAsync();
    }

    private static async Task<JsonElement> GetAsync(HttpClient admin, string url)
    {
        var r = await admin.GetAsync(url);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{url}: {r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.JsonAsync();
    }

    private async Task<long> NotesOfInvoiceAsync(long invoice)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM credit_notes WHERE invoice_id = @i");
        cmd.Parameters.AddWithValue("i", invoice);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenAPostpaidInvoiceIsCredited_ThenTheNextInvoicesDeductTheNotes_NeverBelowZero_AndTheRestCarriesOver()
    {
        var (account, admin) = await CircuitAsync(50.00m, "postpaid");
        var april = await InvoiceAsync(admin, account, "2026-04");                       // 50,00 (monthly fee only)
        var a = await CreatedAsync(NoteAsync(admin, april, 20.00m));
        var b = await CreatedAsync(NoteAsync(admin, april, 25.50m));
        Assert.Equal("postpaid", a.GetProperty("mode").GetString());
        var issued = await GetAsync(admin, $"/api/invoices/{april}");
        Assert.Equal(50.00m, issued.GetProperty("total").GetDecimal());             // the issued invoice is never edited

        // May: fee 30,00 + one call of 100 s at 0,60/min = 1,00 → 31,00; A (20,00) and 11,00 of B bring it to 0,00
        await SetFeeAsync(admin, account, 30.00m);
        var call = await cluster.Grains.Circuit(account).Complete(new CompleteRequest
        {
            CallId = "cn-" + account, DurationSeconds = 100, Destination = "1133334444", Direction = CallDirection.Outbound,
            StartedAt = new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.FromHours(-3)), Source = "import",
        });
        Assert.True(call.Ok, call.Reason);
        var may = await InvoiceAsync(admin, account, "2026-05", status: null);
        var mayJson = await GetAsync(admin, $"/api/invoices/{may}");
        Assert.Equal(1.00m, mayJson.GetProperty("callsTotal").GetDecimal());
        Assert.Equal(0.00m, mayJson.GetProperty("total").GetDecimal());
        Assert.Equal(31.00m, mayJson.GetProperty("creditsTotal").GetDecimal());
        var lines = mayJson.GetProperty("credits").EnumerateArray().Select(c => (c.GetProperty("documentNumber").GetString(), c.GetProperty("amount").GetDecimal())).ToList();
        Assert.Equal([(a.GetProperty("documentNumber").GetString(), 20.00m), (b.GetProperty("documentNumber").GetString(), 11.00m)], lines);
        (await admin.PostAsJsonAsync($"/api/invoices/{may}/status", new { status = "ABERTO", notifyCustomer = false })).EnsureSuccessStatusCode();

        // June: fee 30,00 − the 14,50 left of B = 15,50
        var june = await InvoiceAsync(admin, account, "2026-06", status: null);
        var juneJson = await GetAsync(admin, $"/api/invoices/{june}");
        Assert.Equal(15.50m, juneJson.GetProperty("total").GetDecimal());
        var line = Assert.Single(juneJson.GetProperty("credits").EnumerateArray());
        Assert.Equal(14.50m, line.GetProperty("amount").GetDecimal());
        Assert.Equal(b.GetProperty("id").GetInt64(), line.GetProperty("creditNoteId").GetInt64());

        // regenerating June's draft does not take B twice; the April notes show what was deducted
        await InvoiceAsync(admin, account, "2026-06", status: null);
        Assert.Equal(15.50m, (await GetAsync(admin, $"/api/invoices/{june}")).GetProperty("total").GetDecimal());
        var notes = await GetAsync(admin, $"/api/invoices/{april}/credit-notes");
        Assert.Equal([20.00m, 25.50m], notes.EnumerateArray().Select(n => n.GetProperty("deducted").GetDecimal()));

        // the next invoice's PDF carries the deduction lines
        var pdf = await admin.GetByteArrayAsync($"/api/invoices/{may}/pdf");
        using var doc = PdfDocument.Open(pdf);
        var text = string.Join(" ", doc.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains("crédito " + a.GetProperty("documentNumber").GetString(), text, StringComparison.Ordinal);
        Assert.Contains("-R$ 11,00", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenAPrepaidInvoiceIsCredited_ThenTheBalanceIsCreditedOnceThroughTheLedger_AndTheWebhookIsQueued()
    {
        var (account, admin) = await CircuitAsync(40.00m, "prepaid", credit: 100m);
        var hook = await (await admin.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/nada", events = new[] { "invoice.credited" } })).JsonAsync();
        var endpoint = hook.GetProperty("id").GetInt64();
        try
        {
            var invoice = await InvoiceAsync(admin, account, "2026-05");
            var key = "nc-" + Guid.NewGuid().ToString("N");
            var note = await CreatedAsync(NoteAsync(admin, invoice, 15.00m, key));
            Assert.Equal("prepaid", note.GetProperty("mode").GetString());
            Assert.NotEqual(JsonValueKind.Null, note.GetProperty("ledgerCreditedAt").ValueKind);
            var again = await NoteAsync(admin, invoice, 15.00m, key);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(note.GetProperty("id").GetInt64(), (await again.JsonAsync()).GetProperty("id").GetInt64());

            Assert.Equal(115.00m, (await cluster.Grains.Circuit(account).Get())!.Balance);
            await using var cmd = cluster.Db.CreateCommand("SELECT count(*), sum(amount) FROM ledger WHERE account = @a AND idempotency_key = @k");
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("k", CreditNoteModes.LedgerKey(note.GetProperty("id").GetInt64()));
            await using (var r = await cmd.ExecuteReaderAsync())
            {
                Assert.True(await r.ReadAsync());
                Assert.Equal(1L, r.GetInt64(0));
                Assert.Equal(15.00m, r.GetDecimal(1));
            }

            var page = await GetAsync(admin, $"/api/webhooks/{endpoint}/deliveries");
            var delivery = Assert.Single(page.GetProperty("items").EnumerateArray());
            Assert.Equal("invoice.credited", delivery.GetProperty("eventType").GetString());
            var data = JsonDocument.Parse(delivery.GetProperty("payload").GetString()!).RootElement.GetProperty("data");
            Assert.Equal(invoice, data.GetProperty("invoiceId").GetInt64());
            Assert.Equal(15.00m, data.GetProperty("amount").GetDecimal());
            Assert.Equal(note.GetProperty("documentNumber").GetString(), data.GetProperty("documentNumber").GetString());
        }
        finally
        {
            (await admin.DeleteAsync($"/api/webhooks/{endpoint}")).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task WhenASiloDiesBetweenAPrepaidNoteAndItsLedgerCredit_ThenTheSchedulerTickCreditsIt_Once()
    {
        var (account, admin) = await CircuitAsync(40.00m, "prepaid", credit: 100m);
        var invoice = await InvoiceAsync(admin, account, "2026-06");
        // the note stored and numbered by its transaction, the circuit never credited: what a crash right after the
        // commit leaves behind (before, only a replay of the same key by the operator ever credited it)
        var stored = await new CreditNoteStore(cluster.Db).IssueAsync(invoice, CreditNoteModes.Prepaid,
            new CreditNoteRequest(12.34m, "Queda do silo", "nc-" + Guid.NewGuid().ToString("N")), "teste", DateTimeOffset.UtcNow);
        Assert.True(stored.IsOk);
        var id = stored.Value!.Note.Id;
        Assert.Equal(100.00m, (await cluster.Grains.Circuit(account).Get())!.Balance);
        Assert.Equal(JsonValueKind.Null, (await GetAsync(admin, $"/api/invoices/{invoice}/credit-notes"))
            .EnumerateArray().Single(n => n.GetProperty("id").GetInt64() == id).GetProperty("ledgerCreditedAt").ValueKind);

        // the circuit's daily scheduler tick finds it and has the invoice grain credit it; a second tick changes nothing
        await cluster.Grains.InvoiceScheduler(account).Tick();
        await cluster.Grains.InvoiceScheduler(account).Tick();
        Assert.Equal(0, await cluster.Grains.Invoice(invoice).SettleLedgerCredits());

        Assert.Equal(112.34m, (await cluster.Grains.Circuit(account).Get())!.Balance);
        await using (var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM ledger WHERE account = @a AND idempotency_key = @k"))
        {
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("k", CreditNoteModes.LedgerKey(id));
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        Assert.NotEqual(JsonValueKind.Null, (await GetAsync(admin, $"/api/invoices/{invoice}/credit-notes"))
            .EnumerateArray().Single(n => n.GetProperty("id").GetInt64() == id).GetProperty("ledgerCreditedAt").ValueKind);
    }

    [Fact]
    public async Task WhenNotesWouldPassTheInvoiceTotal_ThenTheyAre409_AndOtherStatusesAre409()
    {
        var (account, admin) = await CircuitAsync(40.00m, "postpaid");
        var invoice = await InvoiceAsync(admin, account, "2026-07");
        await CreatedAsync(NoteAsync(admin, invoice, 30.00m));
        var over = await NoteAsync(admin, invoice, 10.01m);
        Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
        Assert.Contains("ultrapassaria o total da fatura", (await over.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await CreatedAsync(NoteAsync(admin, invoice, 10.00m));                      // exactly the total is fine
        Assert.Equal(HttpStatusCode.Conflict, (await NoteAsync(admin, invoice, 0.01m)).StatusCode);
        Assert.Equal(2, await NotesOfInvoiceAsync(invoice));

        var draft = await InvoiceAsync(admin, account, "2026-08", status: null);
        var refused = await NoteAsync(admin, draft, 1m);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("rascunho", (await refused.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        (await admin.PostAsJsonAsync($"/api/invoices/{draft}/status", new { status = "ANULADO", notifyCustomer = false })).EnsureSuccessStatusCode();
        var voided = await NoteAsync(admin, draft, 1m);
        Assert.Equal(HttpStatusCode.Conflict, voided.StatusCode);
        Assert.Contains("ANULADO", (await voided.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await NoteAsync(admin, 987_654_321, 1m)).StatusCode);
    }

    [Fact]
    public async Task WhenNotesArriveConcurrently_ThenTheirSumNeverPassesTheTotal_AndTheNumbersHaveNoGaps()
    {
        var (account, admin) = await CircuitAsync(50.00m, "postpaid");
        var first = await InvoiceAsync(admin, account, "2026-04");
        var (account2, _) = await CircuitAsync(50.00m, "postpaid");
        var second = await InvoiceAsync(admin, account2, "2026-04");

        // 2 × 20 requests of 7,00 through the API at once, on two invoices (two invoice grains numbering concurrently)
        var calls = Enumerable.Range(0, 40).Select(i => NoteAsync(admin, i % 2 == 0 ? first : second, 7.00m)).ToList();
        var answers = await Task.WhenAll(calls);
        Assert.All(answers, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Equal(14, answers.Count(r => r.StatusCode == HttpStatusCode.Created));    // 7 × 7,00 = 49,00 ≤ 50,00 on each

        // as two silos would: the store itself, many activations at once on one invoice (only the row lock between them)
        var (account3, _) = await CircuitAsync(50.00m, "postpaid");
        var third = await InvoiceAsync(admin, account3, "2026-04");
        var store = new CreditNoteStore(cluster.Db);
        var direct = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => store.IssueAsync(third, CreditNoteModes.Postpaid,
            new CreditNoteRequest(3.00m, "concorrência " + i.ToString(CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N")), "teste",
            DateTimeOffset.UtcNow))));
        Assert.Equal(16, direct.Count(r => r.IsOk));                                 // 16 × 3,00 = 48,00; a 17th would be 51,00
        await using (var sum = cluster.Db.CreateCommand(
            "SELECT i.id, i.total, sum(n.amount) FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE i.id = ANY(@ids) GROUP BY i.id, i.total"))
        {
            sum.Parameters.AddWithValue("ids", new[] { first, second, third });
            await using var r = await sum.ExecuteReaderAsync();
            var rows = 0;
            while (await r.ReadAsync())
            {
                rows++;
                Assert.True(r.GetDecimal(2) <= r.GetDecimal(1), $"fatura {r.GetInt64(0)}: {r.GetDecimal(2)} > {r.GetDecimal(1)}");
            }
            Assert.Equal(3, rows);
        }

        // every note ever issued by the issuer numbered 1..N, each once
        await using var gaps = cluster.Db.CreateCommand("SELECT issuer, count(*), count(DISTINCT number), min(number), max(number) FROM credit_notes GROUP BY issuer");
        await using var g = await gaps.ExecuteReaderAsync();
        Assert.True(await g.ReadAsync());
        do
        {
            Assert.Equal(g.GetInt64(1), g.GetInt64(2));
            Assert.Equal(1L, g.GetInt64(3));
            Assert.Equal(g.GetInt64(1), g.GetInt64(4));
        }
        while (await g.ReadAsync());
    }

    [Fact]
    public async Task WhenTheSameKeyIsSentAgain_ThenTheSameNoteIsAnswered_AndOnAnotherInvoiceItIs409()
    {
        var (account, admin) = await CircuitAsync(60.00m, "postpaid");
        var invoice = await InvoiceAsync(admin, account, "2026-03");
        var key = "dup-" + Guid.NewGuid().ToString("N");
        var note = await CreatedAsync(NoteAsync(admin, invoice, 12.34m, key));
        var replays = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => NoteAsync(admin, invoice, 12.34m, key)));
        foreach (var r in replays)
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var j = await r.JsonAsync();
            Assert.Equal(note.GetProperty("id").GetInt64(), j.GetProperty("id").GetInt64());
            Assert.Equal(note.GetProperty("number").GetInt64(), j.GetProperty("number").GetInt64());
        }
        Assert.Equal(1, await NotesOfInvoiceAsync(invoice));
        var list = await GetAsync(admin, $"/api/invoices/{invoice}/credit-notes");
        Assert.Equal(12.34m, Assert.Single(list.EnumerateArray()).GetProperty("amount").GetDecimal());

        var (account2, _) = await CircuitAsync(60.00m, "postpaid");
        var other = await InvoiceAsync(admin, account2, "2026-03");
        Assert.Equal(HttpStatusCode.Conflict, (await NoteAsync(admin, other, 12.34m, key)).StatusCode);
        Assert.Equal(0, await NotesOfInvoiceAsync(other));
    }

    [Theory]
    [InlineData("0", "Ajuste", "k", "amount")]
    [InlineData("-5", "Ajuste", "k", "amount")]
    [InlineData("1.001", "Ajuste", "k", "amount")]
    [InlineData("5", "", "k", "reason")]
    [InlineData("5", "   ", "k", "reason")]
    [InlineData("5", "Ajuste", "", "idempotencyKey")]
    public async Task WhenTheInputIsBad_ThenItIs400NamingTheField_AndNothingIsStored(string amount, string reason, string key, string field)
    {
        var (account, admin) = await CircuitAsync(20.00m, "postpaid");
        var invoice = await InvoiceAsync(admin, account, "2026-02");
        var r = await admin.PostAsJsonAsync($"/api/invoices/{invoice}/credit-notes",
            new { amount = decimal.Parse(amount, CultureInfo.InvariantCulture), reason, idempotencyKey = key == "" ? "" : key + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var problem = await r.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var msgs), problem.ToString());
        Assert.False(string.IsNullOrWhiteSpace(msgs[0].GetString()));
        Assert.Equal(0, await NotesOfInvoiceAsync(invoice));
    }

    [Fact]
    public async Task WhenANoteIsDownloaded_ThenItsPdfNamesTheNoteTheInvoiceTheAmountAndTheReason()
    {
        var (account, admin) = await CircuitAsync(80.00m, "postpaid");
        var invoice = await InvoiceAsync(admin, account, "2026-01");
        var inv = await GetAsync(admin, $"/api/invoices/{invoice}");
        var note = await CreatedAsync(NoteAsync(admin, invoice, 12.34m, reason: "Mensalidade cobrada em dobro"));
        var r = await admin.GetAsync($"/api/credit-notes/{note.GetProperty("id").GetInt64()}/pdf");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/pdf", r.Content.Headers.ContentType?.MediaType);
        using var doc = PdfDocument.Open(await r.Content.ReadAsByteArrayAsync());
        var text = string.Join(" ", doc.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains("Nota de crédito " + note.GetProperty("documentNumber").GetString(), text, StringComparison.Ordinal);
        Assert.Contains("Fatura " + inv.GetProperty("documentNumber").GetString(), text, StringComparison.Ordinal);
        Assert.Contains("R$ 12,34", text, StringComparison.Ordinal);
        Assert.Contains("R$ 80,00", text, StringComparison.Ordinal);
        Assert.Contains("Mensalidade cobrada em dobro", text, StringComparison.Ordinal);
        Assert.Contains("Circuito " + account, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/credit-notes/987654321/pdf")).StatusCode);
    }

    [Fact]
    public async Task WhenAnInvoiceIsPaid_ThenItsGetAnswersThePaymentFields()
    {
        var (account, admin) = await CircuitAsync(25.00m, "postpaid");
        var invoice = await InvoiceAsync(admin, account, "2026-06");
        var before = await GetAsync(admin, $"/api/invoices/{invoice}");
        Assert.Equal(JsonValueKind.Null, before.GetProperty("paidAt").ValueKind);
        var paid = await admin.PostAsJsonAsync($"/api/invoices/{invoice}/payments",
            new { amount = 25.00m, method = "pix", idempotencyKey = Guid.NewGuid().ToString("N") });
        Assert.True(paid.IsSuccessStatusCode, await paid.Content.ReadAsStringAsync());
        var after = await GetAsync(admin, $"/api/invoices/{invoice}");
        Assert.Equal(25.00m, after.GetProperty("paidAmount").GetDecimal());
        Assert.Equal("pix", after.GetProperty("paymentMethod").GetString());
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("paidAt").ValueKind);
    }
}
