using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.BillingRuns;

[Collection(ClusterCollection.Name)]
public sealed class BillingApiTests(ClusterFixture cluster)
{
    private static async Task<long> Avulso(HttpClient admin, long customer, string date, string? due, string description, decimal amount)
    {
        var r = await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = customer, date, dueDate = due, description, amount });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("pendingItemId").GetInt64();
    }

    private static async Task<long> Contract(HttpClient admin, object body)
    {
        var r = await admin.PostAsJsonAsync("/api/billing/contracts", body);
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> Pending(HttpClient admin, string query)
    {
        var r = await admin.GetAsync("/api/billing/pending?" + query);
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return await r.JsonAsync();
    }

    /// <summary>Descriptions of the customer's pending items (sorted).</summary>
    private static async Task<string[]> PendingOf(HttpClient admin, long customer, string query)
    {
        var p = await Pending(admin, $"{query}&customerIds={customer}");
        return p.GetProperty("customers").EnumerateArray()
            .SelectMany(c => c.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("description").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>(item id, amount) of the customer's pending items and the customer's total.</summary>
    private static async Task<(List<(long Id, decimal Amount)> Items, decimal Total)> Snapshot(HttpClient admin, long customer, string baseDate)
    {
        var p = await Pending(admin, $"baseDate={baseDate}&customerIds={customer}");
        var rows = p.GetProperty("customers").EnumerateArray().ToList();
        if (rows.Count == 0) return ([], 0m);
        Assert.Single(rows);
        var items = rows[0].GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("id").GetInt64(), i.GetProperty("amount").GetDecimal())).OrderBy(x => x.Item1).ToList();
        return (items, rows[0].GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task WhenFilteringByBaseDateOrByDueDate_ThenExactlyTheItemsOnTheRightSideOfTheBoundaryAreListed()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        await Avulso(admin, cus, "2026-03-10", "2026-03-20", "A instalação", 100m);
        await Avulso(admin, cus, "2026-03-11", null, "B visita técnica", 40m);
        await Contract(admin, new { customerId = cus, name = "C suporte", kind = "servico", amount = 50m, timing = "antecipado", dayOfMonth = 15,
            dueDays = 5, startDate = "2026-03-01" });
        await Contract(admin, new { customerId = cus, name = "D backup", kind = "servico", amount = 30m, timing = "posterior", dayOfMonth = 5,
            startDate = "2026-03-01", endDate = "2026-03-31" });

        // base date: everything dated on or before it
        Assert.Equal(["A instalação"], await PendingOf(admin, cus, "baseDate=2026-03-10"));
        Assert.Equal(["A instalação", "B visita técnica"], await PendingOf(admin, cus, "baseDate=2026-03-11"));
        Assert.Equal(["A instalação", "B visita técnica"], await PendingOf(admin, cus, "baseDate=2026-03-14"));
        Assert.Equal(["A instalação", "B visita técnica", "C suporte (03/2026)"], await PendingOf(admin, cus, "baseDate=2026-03-15"));
        Assert.Equal(["A instalação", "B visita técnica", "C suporte (03/2026)"], await PendingOf(admin, cus, "baseDate=2026-04-04"));
        Assert.Equal(["A instalação", "B visita técnica", "C suporte (03/2026)", "D backup (03/2026)"], await PendingOf(admin, cus, "baseDate=2026-04-05"));
        Assert.Equal(["A instalação", "B visita técnica", "C suporte (03/2026)", "C suporte (04/2026)", "C suporte (05/2026)", "D backup (03/2026)"],
            await PendingOf(admin, cus, "baseDate=2026-05-31"));

        // due date: exactly that due date
        Assert.Equal(["A instalação", "C suporte (03/2026)"], await PendingOf(admin, cus, "dueDate=2026-03-20"));
        Assert.Empty(await PendingOf(admin, cus, "dueDate=2026-03-19"));
        Assert.Empty(await PendingOf(admin, cus, "dueDate=2026-03-21"));
        Assert.Equal(["B visita técnica"], await PendingOf(admin, cus, "dueDate=2026-03-11"));
        Assert.Equal(["D backup (03/2026)"], await PendingOf(admin, cus, "dueDate=2026-04-05"));
        Assert.Equal(["C suporte (04/2026)"], await PendingOf(admin, cus, "dueDate=2026-04-20"));

        // contracts / avulsos
        Assert.Equal(["A instalação", "B visita técnica"], await PendingOf(admin, cus, "baseDate=2026-03-15&kind=avulsos"));
        Assert.Equal(["C suporte (03/2026)"], await PendingOf(admin, cus, "baseDate=2026-03-15&kind=contracts"));

        // one row per customer with its total; a list of customers
        var other = await Seed.CustomerAsync(admin);
        await Avulso(admin, other, "2026-03-01", null, "Outro", 7.77m);
        var both = await Pending(admin, $"baseDate=2026-03-15&customerIds={cus},{other}");
        var rows = both.GetProperty("customers").EnumerateArray().ToDictionary(c => c.GetProperty("customerId").GetInt64());
        Assert.Equal(2, rows.Count);
        Assert.Equal(190m, rows[cus].GetProperty("total").GetDecimal());
        Assert.Equal(3, rows[cus].GetProperty("itemCount").GetInt32());
        Assert.Equal(7.77m, rows[other].GetProperty("total").GetDecimal());
        Assert.Equal(197.77m, both.GetProperty("total").GetDecimal());

        var bad = await admin.GetAsync("/api/billing/pending?baseDate=2026-03-15&dueDate=2026-03-20&kind=x&customerIds=1,a");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("dueDate", out _));
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.True(errors.TryGetProperty("customerIds", out _));
    }

    private static async Task<JsonElement> Bill(HttpClient admin, object body, HttpStatusCode expected = HttpStatusCode.Created, string? key = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "/api/billing") { Content = JsonContent.Create(body) };
        if (key is not null) req.Headers.Add("Idempotency-Key", key);
        var r = await admin.SendAsync(req);
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.JsonAsync();
    }

    [Fact]
    public async Task WhenBilledPartiallyThenTotallyThenTheFirstIsCancelled_ThenThePendingListIsTheOriginalMinusTheSecondBilling()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var a1 = await Avulso(admin, cus, "2026-01-05", null, "Instalação de PABX", 10.10m);
        var a2 = await Avulso(admin, cus, "2026-02-07", null, "Configuração de URA", 20.20m);
        await Contract(admin, new { customerId = cus, name = "Suporte 8x5", kind = "servico", amount = 33.33m, timing = "antecipado",
            dayOfMonth = 1, startDate = "2026-01-01", endDate = "2026-02-28" });
        var before = await Snapshot(admin, cus, "2026-02-28");
        Assert.Equal(4, before.Items.Count);
        Assert.Equal(96.96m, before.Total); // 10.10 + 20.20 + 33.33 + 33.33
        var s01 = (await Pending(admin, $"baseDate=2026-01-31&customerIds={cus}&kind=contracts"))
            .GetProperty("customers")[0].GetProperty("items")[0].GetProperty("id").GetInt64();

        // partial
        var nfe = "NFE-" + Guid.NewGuid().ToString("N")[..10];
        var first = await Bill(admin, new { customerId = cus, itemIds = new[] { a1, s01 }, billingDate = "2026-03-01", dueDate = "2026-03-10",
            discount = 1.00m, interest = 0.50m, nfeNumber = nfe });
        Assert.Equal(43.43m, first.GetProperty("total").GetDecimal());
        Assert.Equal(42.93m, first.GetProperty("valorReal").GetDecimal());
        Assert.Equal("FATURADO", first.GetProperty("status").GetString());
        var notes = first.GetProperty("notes").GetString()!;
        Assert.Contains("Instalação de PABX", notes, StringComparison.Ordinal);
        Assert.Contains("Suporte 8x5 (01/2026)", notes, StringComparison.Ordinal);
        var firstId = first.GetProperty("id").GetInt64();
        var afterFirst = await Snapshot(admin, cus, "2026-02-28");
        Assert.Equal(before.Items.Where(i => i.Id != a1 && i.Id != s01), afterFirst.Items);

        // an item already billed cannot be billed again
        await Bill(admin, new { customerId = cus, itemIds = new[] { a1 }, billingDate = "2026-03-01", dueDate = "2026-03-10" }, HttpStatusCode.Conflict);

        // total of the rest
        var second = await Bill(admin, new { customerId = cus, all = true, baseDate = "2026-02-28", billingDate = "2026-03-02", dueDate = "2026-03-12" });
        var secondItems = second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetInt64()).Order().ToList();
        Assert.Equal(afterFirst.Items.Select(i => i.Id), secondItems);
        Assert.Equal(53.53m, second.GetProperty("total").GetDecimal());
        Assert.Empty((await Snapshot(admin, cus, "2026-02-28")).Items);

        // billed items are frozen: the avulso cannot change while billed
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PutAsJsonAsync($"/api/billing/avulsos/{(await AvulsoIdOf(admin, cus, a2))}",
            new { date = "2026-02-07", description = "x", amount = 1m })).StatusCode);

        // cancel the first (estorno): its items are pending again, the record is kept and audited
        var cancel = await admin.PostAsJsonAsync($"/api/billing/{firstId}/cancel", new { reason = "NF emitida com CNPJ errado" });
        Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        var cancelled = await cancel.JsonAsync();
        Assert.Equal("CANCELADO", cancelled.GetProperty("status").GetString());
        Assert.Equal("NF emitida com CNPJ errado", cancelled.GetProperty("cancelReason").GetString());
        Assert.Equal(["faturado", "cancelado"], cancelled.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()));
        Assert.Equal(2, cancelled.GetProperty("items").GetArrayLength()); // what it billed stays recorded

        var after = await Snapshot(admin, cus, "2026-02-28");
        Assert.Equal(before.Items.Where(i => !secondItems.Contains(i.Id)), after.Items);
        Assert.Equal(43.43m, after.Total);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync($"/api/billing/{firstId}/cancel", new { reason = "de novo" })).StatusCode);

        // billable anew; history searchable by NFe
        var again = await Bill(admin, new { customerId = cus, itemIds = new[] { a1, s01 }, billingDate = "2026-03-05", dueDate = "2026-03-15" });
        Assert.Equal(43.43m, again.GetProperty("total").GetDecimal());
        var byNfe = await (await admin.GetAsync($"/api/billing/history?nfe={nfe}")).JsonAsync();
        Assert.Equal(1, byNfe.GetProperty("total").GetInt64());
        Assert.Equal(firstId, byNfe.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal("CANCELADO", byNfe.GetProperty("items")[0].GetProperty("status").GetString());
        var byCustomer = await (await admin.GetAsync($"/api/billing/history?customerId={cus}&from=2026-03-02&to=2026-03-05")).JsonAsync();
        Assert.Equal(2, byCustomer.GetProperty("total").GetInt64());
    }

    private static async Task<long> AvulsoIdOf(HttpClient admin, long customer, long pendingItemId)
    {
        var list = await (await admin.GetAsync($"/api/billing/avulsos?customerId={customer}")).JsonAsync();
        return list.EnumerateArray().Single(a => a.GetProperty("pendingItemId").GetInt64() == pendingItemId).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task WhenTheSameIdempotencyKeyIsSubmittedTwice_ThenOnlyOneBillingExists()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        await Avulso(admin, cus, "2026-04-01", null, "Taxa de ativação", 99.90m);
        await Avulso(admin, cus, "2026-04-02", null, "Portabilidade", 15m);
        var key = Guid.NewGuid().ToString();
        var body = new { customerId = cus, all = true, billingDate = "2026-04-30", dueDate = "2026-05-10" };

        // a double click: both at once, then a retry
        var sends = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "/api/billing") { Content = JsonContent.Create(body) };
            req.Headers.Add("Idempotency-Key", key);
            var r = await admin.SendAsync(req);
            return (r.StatusCode, Json: await r.JsonAsync());
        }));
        Assert.All(sends, s => Assert.True(s.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, s.Json.ToString()));
        Assert.Single(sends, s => s.StatusCode == HttpStatusCode.Created);
        var retry = await Bill(admin, body, HttpStatusCode.OK, key);
        var ids = sends.Select(s => s.Json.GetProperty("id").GetInt64()).Append(retry.GetProperty("id").GetInt64()).Distinct().ToList();
        Assert.Single(ids);
        Assert.Equal(114.90m, retry.GetProperty("total").GetDecimal());

        var history = await (await admin.GetAsync($"/api/billing/history?customerId={cus}")).JsonAsync();
        Assert.Equal(1, history.GetProperty("total").GetInt64());
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM billing_record_items i JOIN billing_records b ON b.id = i.billing_id WHERE b.customer_id = @c");
        cmd.Parameters.AddWithValue("c", cus);
        Assert.Equal(2L, (long)(await cmd.ExecuteScalarAsync())!);

        // a key is bound to its billing: another customer with the same key is a conflict
        var other = await Seed.CustomerAsync(admin);
        await Avulso(admin, other, "2026-04-01", null, "X", 1m);
        await Bill(admin, new { customerId = other, all = true, billingDate = "2026-04-30", dueDate = "2026-05-10" }, HttpStatusCode.Conflict, key);
    }

    [Fact]
    public async Task WhenTheDiscountExceedsTotalPlusInterest_Then400AndNothingIsBilled()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var item = await Avulso(admin, cus, "2026-04-01", null, "Serviço", 50m);
        var r = await Bill(admin, new { customerId = cus, itemIds = new[] { item }, billingDate = "2026-04-30", dueDate = "2026-05-10",
            discount = 60m, interest = 9.99m }, HttpStatusCode.BadRequest);
        Assert.True(r.GetProperty("errors").TryGetProperty("discount", out _));
        Assert.Single((await Snapshot(admin, cus, "2026-04-30")).Items);
        var zero = await Bill(admin, new { customerId = cus, itemIds = new[] { item }, billingDate = "2026-04-30", dueDate = "2026-05-10",
            discount = 60m, interest = 10m });
        Assert.Equal(0m, zero.GetProperty("valorReal").GetDecimal());

        var invalid = await admin.PostAsJsonAsync("/api/billing", new { customerId = cus, discount = -1m, interest = 0.001m });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        foreach (var f in new[] { "itemIds", "billingDate", "dueDate", "discount", "interest" })
            Assert.True(errors.TryGetProperty(f, out _), f);
    }

    [Fact]
    public async Task WhenACircuitContractIsPending_ThenItsAmountIsTheFeePlusTheLedgerUsageByCallType()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var planId = "pb" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.Simple(0.30m, 1);
        await cluster.Grains.GetGrain<IPlanGrain>("plan:" + planId).Create("Plano " + planId, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            System.Collections.Immutable.ImmutableDictionary<CallType, PlanEntry>.Empty
                .Add(CallType.LocalFixo, PlanEntry.Of(per)).Add(CallType.LocalMovel, PlanEntry.Of(per)));
        var account = await Seed.CircuitAsync(admin, cus, planId);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{account}",
            new { invoice = new { closingDay = 1, dueDays = 10, monthlyFee = 89.90m } })).StatusCode);
        await Seed.CreditAsync(admin, account, 1000m);
        var grain = cluster.Grains.Circuit(account);
        var start = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.FromHours(-3));
        for (var i = 0; i < 6; i++)
        {
            var c = await grain.Complete(new CompleteRequest
            {
                CallId = $"bill-{account}-{i}", DurationSeconds = 37 + i * 11, Destination = i % 2 == 0 ? "1133334444" : "11988887777",
                Direction = CallDirection.Outbound, StartedAt = start.AddMinutes(i), Source = "import",
            });
            Assert.True(c.Ok, c.Reason);
        }
        await Contract(admin, new { customerId = cus, name = "Tronco SIP", kind = "circuito", account, timing = "posterior", dayOfMonth = 1,
            startDate = "2026-06-01", endDate = "2026-06-30" });

        await using var cmd = cluster.Db.CreateCommand("SELECT -sum(amount) FROM ledger WHERE account = @a AND period = '2026-06' AND kind = 'call'");
        cmd.Parameters.AddWithValue("a", account);
        var usage = (decimal)(await cmd.ExecuteScalarAsync())!;
        Assert.True(usage > 0);

        Assert.Empty(await PendingOf(admin, cus, "baseDate=2026-06-30"));
        var p = await Pending(admin, $"baseDate=2026-07-01&customerIds={cus}");
        var item = p.GetProperty("customers")[0].GetProperty("items")[0];
        Assert.Equal("Tronco SIP (06/2026)", item.GetProperty("description").GetString());
        Assert.Equal(89.90m + usage, item.GetProperty("amount").GetDecimal());
        var d = item.GetProperty("details");
        Assert.Equal(89.90m, d.GetProperty("monthlyFee").GetDecimal());
        Assert.Equal("2026-06", d.GetProperty("usagePeriod").GetString());
        var lines = d.GetProperty("usage").EnumerateArray().ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(6, lines.Sum(l => l.GetProperty("calls").GetInt32()));
        Assert.Equal(usage, lines.Sum(l => l.GetProperty("amount").GetDecimal()));

        // billing freezes the amount and its details
        var billed = await Bill(admin, new { customerId = cus, all = true, billingDate = "2026-07-01", dueDate = "2026-07-10" });
        Assert.Equal(89.90m + usage, billed.GetProperty("total").GetDecimal());
        Assert.Equal(2, billed.GetProperty("items")[0].GetProperty("details").GetProperty("usage").GetArrayLength());

        // antecipado: period M = the fee of M + the usage of M-1, never usage from before the contract started
        await Contract(admin, new { customerId = cus, name = "Tronco antecipado", kind = "circuito", account, amount = 10m, timing = "antecipado",
            dayOfMonth = 1, startDate = "2026-06-01", endDate = "2026-07-31" });
        var ante = (await Pending(admin, $"baseDate=2026-07-01&customerIds={cus}")).GetProperty("customers")[0].GetProperty("items")
            .EnumerateArray().ToDictionary(i => i.GetProperty("reference").GetString()!, i => i.GetProperty("amount").GetDecimal());
        Assert.Equal(10m, ante["2026-06"]);
        Assert.Equal(10m + usage, ante["2026-07"]);
        _ = CultureInfo.InvariantCulture;
    }

    [Fact]
    public async Task WhenContractsAndAvulsosAreInvalid_Then400WithCamelCaseFields()
    {
        var admin = cluster.AsAdmin();
        var r = await admin.PostAsJsonAsync("/api/billing/contracts", new { customerId = 0, kind = "x", timing = "y", dayOfMonth = 40, startDate = "2026-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var e = (await r.JsonAsync()).GetProperty("errors");
        foreach (var f in new[] { "customerId", "name", "kind", "timing", "dayOfMonth" }) Assert.True(e.TryGetProperty(f, out _), f);
        var cus = await Seed.CustomerAsync(admin);
        var a = await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = cus, date = "2026-01-10", dueDate = "2026-01-01", amount = 1.234m });
        var ae = (await a.JsonAsync()).GetProperty("errors");
        foreach (var f in new[] { "dueDate", "description", "amount" }) Assert.True(ae.TryGetProperty(f, out _), f);
        var svc = await admin.PostAsJsonAsync("/api/billing/contracts", new { customerId = cus, name = "S", kind = "servico", timing = "antecipado", dayOfMonth = 1, startDate = "2026-01-01" });
        Assert.True((await svc.JsonAsync()).GetProperty("errors").TryGetProperty("amount", out _));
    }
}
