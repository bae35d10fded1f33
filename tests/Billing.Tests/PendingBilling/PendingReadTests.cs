using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.PendingBilling;

/// <summary>
/// A GET never writes: the pending list computes contract periods that have no row (under their fixed period id) and
/// <c>POST /api/billing</c> stores what it bills; what a GET shows, also years ahead, is billable by the id it showed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PendingReadTests(ClusterFixture cluster)
{
    private static DateOnly Today => SaoPauloTime.Today(TimeProvider.System);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<long> Created(HttpResponseMessage r, string property)
    {
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty(property).GetInt64();
    }

    /// <summary>The customer's pending items listed by GET /api/billing/pending (id, reference, amount), in list order.</summary>
    private static async Task<List<(long Id, string Reference, decimal Amount)>> Listed(HttpClient admin, long customer, DateOnly baseDate)
    {
        var r = await admin.GetAsync($"/api/billing/pending?baseDate={Iso(baseDate)}&customerIds={customer}");
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("customers").EnumerateArray()
            .SelectMany(c => c.GetProperty("items").EnumerateArray())
            .Select(i => (i.GetProperty("id").GetInt64(), i.GetProperty("reference").GetString()!, i.GetProperty("amount").GetDecimal()))
            .ToList();
    }

    /// <summary>Every row of billing_pending_items of the customer with its row version (xmin): any insert, update or delete changes it.</summary>
    private async Task<(long Count, string Versions)> Rows(long customer)
    {
        await using var cmd = cluster.Db.CreateCommand(
            """
            SELECT count(*), coalesce(string_agg(id::text || '@' || xmin::text || ':' || coalesce(billing_id::text, '-'), ',' ORDER BY id), '')
            FROM billing_pending_items WHERE customer_id = @c
            """);
        cmd.Parameters.AddWithValue("c", customer);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetInt64(0), r.GetString(1));
    }

    private static async Task<JsonElement> Bill(HttpClient admin, object body, HttpStatusCode expected)
    {
        var r = await admin.PostAsJsonAsync("/api/billing", body);
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.JsonAsync();
    }

    [Fact]
    public async Task WhenTheListCoversFiveYearsOfFuturePeriods_ThenTheGetWritesNoRowAndShowsTheSameIdsTwice()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var start = new DateOnly(Today.Year, Today.Month, 1).AddMonths(-2);
        var contract = await Created(await admin.PostAsJsonAsync("/api/billing/contracts", new
        {
            customerId = cus, name = "Suporte 24x7", kind = "servico", amount = 120m, timing = "antecipado", dayOfMonth = 1, dueDays = 10,
            startDate = Iso(start),
        }), "id");
        await Created(await admin.PostAsJsonAsync("/api/billing/avulsos", new
        {
            customerId = cus, date = Iso(Today), description = "Instalação", amount = 80m,
        }), "pendingItemId");
        var before = await Rows(cus);
        Assert.Equal(1, before.Count); // the avulso: a contract stores no period until one is billed

        var horizon = Today.AddYears(BillingRules.PendingYearsAhead);
        var first = await Listed(admin, cus, horizon);
        var second = await Listed(admin, cus, horizon);

        // every monthly period from the start up to five years ahead is listed, under its period id, the same both times
        var periods = first.Where(i => i.Reference.Length > 0).ToList();
        var expected = BillingRules.Periods(start, null, 1, ContractTimings.Antecipado, 10, horizon).Select(p => p.Reference).ToList();
        Assert.True(expected.Count >= 62, expected.Count.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, periods.Select(p => p.Reference).Order(StringComparer.Ordinal));
        Assert.All(periods, p => Assert.Equal(ContractPeriodIds.Of(contract, p.Reference), p.Id));
        Assert.All(periods, p => Assert.Equal(120m, p.Amount));
        Assert.Equal(first, second);

        // ... and nothing was written: same rows, same row versions
        Assert.Equal(before, await Rows(cus));
        var preview = await admin.GetAsync($"/api/billing/pending/report.pdf?customerId={cus}&baseDate={Iso(horizon)}&type=sintetico");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal(before, await Rows(cus));
    }

    [Fact]
    public async Task WhenAFuturePeriodShownByTheListIsBilled_ThenItIsBilledUnderThatIdAndCancellingListsItAgainUnchanged()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var start = new DateOnly(Today.Year, Today.Month, 1);
        var contract = await Created(await admin.PostAsJsonAsync("/api/billing/contracts", new
        {
            customerId = cus, name = "Backup em nuvem", kind = "servico", amount = 45.50m, timing = "posterior", dayOfMonth = 10, dueDays = 5,
            startDate = Iso(start),
        }), "id");
        var horizon = Today.AddYears(3);
        var listed = await Listed(admin, cus, horizon);
        var future = listed[^1];
        Assert.Equal(ContractPeriodIds.Of(contract, future.Reference), future.Id);
        Assert.True(string.CompareOrdinal(future.Reference, BillingPeriod.Of(Today.AddYears(2)).Key) > 0, future.Reference);

        // a period id that is not one of this customer's periods is refused, and stores nothing
        var other = await Seed.CustomerAsync(admin);
        await Bill(admin, new { customerId = other, itemIds = new[] { future.Id }, billingDate = Iso(Today), dueDate = Iso(Today) }, HttpStatusCode.Conflict);
        var outside = ContractPeriodIds.Of(contract, BillingPeriod.Of(start).AddMonths(-1).Key);
        await Bill(admin, new { customerId = cus, itemIds = new[] { outside }, billingDate = Iso(Today), dueDate = Iso(Today) }, HttpStatusCode.Conflict);
        Assert.Equal(0, (await Rows(cus)).Count);
        Assert.Equal(0, (await Rows(other)).Count);

        // billed by the id the list showed: the billing's item carries that id and amount
        var billed = await Bill(admin, new { customerId = cus, itemIds = new[] { future.Id }, billingDate = Iso(Today), dueDate = Iso(Today.AddDays(10)) },
            HttpStatusCode.Created);
        var item = Assert.Single(billed.GetProperty("items").EnumerateArray());
        Assert.Equal(future.Id, item.GetProperty("itemId").GetInt64());
        Assert.Equal(future.Reference, item.GetProperty("reference").GetString());
        Assert.Equal(45.50m, billed.GetProperty("total").GetDecimal());
        var rows = await Rows(cus);
        Assert.Equal(1, rows.Count);

        // the list is the same minus that period (the other ids unchanged); billing it again is a conflict
        Assert.Equal(listed.Where(i => i.Id != future.Id), await Listed(admin, cus, horizon));
        await Bill(admin, new { customerId = cus, itemIds = new[] { future.Id }, billingDate = Iso(Today), dueDate = Iso(Today) }, HttpStatusCode.Conflict);

        // estorno: pending again under the same id; listing it still writes nothing
        var cancel = await admin.PostAsJsonAsync($"/api/billing/{billed.GetProperty("id").GetInt64()}/cancel", new { reason = "Vencimento errado" });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var afterCancel = await Rows(cus);
        Assert.Equal(listed, await Listed(admin, cus, horizon));
        Assert.Equal(afterCancel, await Rows(cus));
    }

    [Fact]
    public async Task WhenTwoBillingsOfTheSameUnstoredPeriodRace_ThenOneBillsItAndTheOtherIsAConflict()
    {
        var admin = cluster.AsAdmin();
        var cus = await Seed.CustomerAsync(admin);
        var contract = await Created(await admin.PostAsJsonAsync("/api/billing/contracts", new
        {
            customerId = cus, name = "Monitoramento", kind = "servico", amount = 19.90m, timing = "antecipado", dayOfMonth = 5,
            startDate = Iso(new DateOnly(Today.Year, Today.Month, 1)),
        }), "id");
        var id = (await Listed(admin, cus, Today.AddYears(1)))[^1].Id;
        Assert.True(ContractPeriodIds.TryParse(id, out var k, out _) && k == contract);
        var body = new { customerId = cus, itemIds = new[] { id }, billingDate = Iso(Today), dueDate = Iso(Today) };
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => admin.PostAsJsonAsync("/api/billing", body)));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        var rows = await Rows(cus);
        Assert.Equal(1, rows.Count);
        Assert.StartsWith(id.ToString(CultureInfo.InvariantCulture) + "@", rows.Versions, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenAPeriodIdIsMadeAndRead_ThenItRoundTripsStaysBelowTwoToThe53AndNoSequenceIdIsOne()
    {
        var id = ContractPeriodIds.Of(123, "2026-07");
        Assert.Equal(4_000_000_123_202_607, id);
        Assert.True(ContractPeriodIds.TryParse(id, out var contract, out var reference));
        Assert.Equal((123L, "2026-07"), (contract, reference));
        Assert.True(ContractPeriodIds.Of(ContractPeriodIds.MaxContractId, "2999-12") < (1L << 53));
        Assert.False(ContractPeriodIds.TryParse(1, out _, out _));
        Assert.False(ContractPeriodIds.TryParse(ContractPeriodIds.Base - 1, out _, out _));
        Assert.False(ContractPeriodIds.TryParse(ContractPeriodIds.Of(5, "2026-01") + 12, out _, out _)); // month 13
        Assert.Throws<ArgumentOutOfRangeException>(() => ContractPeriodIds.Of(ContractPeriodIds.MaxContractId + 1, "2026-01"));
    }
}
