using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Invoicing;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Portal;

/// <summary>
/// <c>POST /api/invoices/{id}/payments</c> (admin key): an issued invoice is paid once, the same idempotency key answers
/// the same payment, bad input is a 400 naming the field and changes nothing; the webhook without a configured secret.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class InvoicePaymentHttpTests(ClusterFixture cluster)
{
    private static async Task<string> PaidAtAsync(ClusterFixture cluster, long id)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT coalesce(paid_at::text, '') || '|' || coalesce(payment_key, '') FROM invoices WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenAnAdminPaysAnIssuedInvoiceTwiceWithTheSameKey_ThenItIsPaidOnce_AndAnotherKeyIsAConflict()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var admin = cluster.AsAdmin();
        var total = (await (await admin.GetAsync($"/api/invoices/{c.IssuedInvoiceId}")).JsonAsync()).GetProperty("total").GetDecimal();
        var key = "k-" + Guid.NewGuid().ToString("N");
        var body = new { amount = total, paidAt = DateTimeOffset.UtcNow.AddHours(-3), method = "transferencia", idempotencyKey = key };
        var first = await admin.PostAsJsonAsync($"/api/invoices/{c.IssuedInvoiceId}/payments", body);
        Assert.True(first.StatusCode == HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var json = await first.JsonAsync();
        Assert.Equal(total, json.GetProperty("paidAmount").GetDecimal());
        Assert.Equal("transferencia", json.GetProperty("method").GetString());
        var stored = await PaidAtAsync(cluster, c.IssuedInvoiceId);

        var second = await admin.PostAsJsonAsync($"/api/invoices/{c.IssuedInvoiceId}/payments", body);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(json.GetProperty("paidAt").GetDateTimeOffset(), (await second.JsonAsync()).GetProperty("paidAt").GetDateTimeOffset());
        Assert.Equal(stored, await PaidAtAsync(cluster, c.IssuedInvoiceId));

        var other = await admin.PostAsJsonAsync($"/api/invoices/{c.IssuedInvoiceId}/payments", body with { idempotencyKey = "k-outra" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Contains("já foi paga", (await other.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(stored, await PaidAtAsync(cluster, c.IssuedInvoiceId));

        // the key of a paid invoice cannot pay another one
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/invoices/{c.DraftInvoiceId}/status", new { status = "ABERTO", notifyCustomer = false })).StatusCode);
        var draftTotal = (await (await admin.GetAsync($"/api/invoices/{c.DraftInvoiceId}")).JsonAsync()).GetProperty("total").GetDecimal();
        var reused = await admin.PostAsJsonAsync($"/api/invoices/{c.DraftInvoiceId}/payments", body with { amount = draftTotal });
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Contains($"fatura {c.IssuedInvoiceId}", (await reused.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null((await cluster.Grains.Invoice(c.DraftInvoiceId).Get())!.PaidAt);
    }

    [Fact]
    public async Task WhenThePaymentIsInvalidOrTheInvoiceCannotBePaid_ThenItIsRefusedAndNothingChanges()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var admin = cluster.AsAdmin();
        var total = (await (await admin.GetAsync($"/api/invoices/{c.IssuedInvoiceId}")).JsonAsync()).GetProperty("total").GetDecimal();
        var before = await PaidAtAsync(cluster, c.IssuedInvoiceId);
        var url = $"/api/invoices/{c.IssuedInvoiceId}/payments";

        async Task Field(object body, string field)
        {
            var r = await admin.PostAsJsonAsync(url, body);
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.True((await r.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), text);
        }

        await Field(new { amount = total - 0.01m, method = "pix", idempotencyKey = "k1" }, "amount");
        await Field(new { amount = total + 0.001m, method = "pix", idempotencyKey = "k1" }, "amount");
        await Field(new { amount = -1m, method = "pix", idempotencyKey = "k1" }, "amount");
        await Field(new { method = "pix", idempotencyKey = "k1" }, "amount");
        await Field(new { amount = total, method = "cheque", idempotencyKey = "k1" }, "method");
        await Field(new { amount = total, method = "pix" }, "idempotencyKey");
        await Field(new { amount = total, method = "pix", idempotencyKey = new string('x', 201) }, "idempotencyKey");
        await Field(new { amount = total, method = "pix", idempotencyKey = "k1", paidAt = DateTimeOffset.UtcNow.AddDays(3) }, "paidAt");
        // a NUL never reaches the grain (input guard)
        var nul = await admin.PostAsync(url, new StringContent($"{{\"amount\":1,\"method\":\"pix\",\"idempotencyKey\":\"k\\u0000\"}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Equal(before, await PaidAtAsync(cluster, c.IssuedInvoiceId));

        // a draft cannot be paid; an unknown invoice is 404
        var draft = await admin.PostAsJsonAsync($"/api/invoices/{c.DraftInvoiceId}/payments",
            new { amount = 1m, method = "pix", idempotencyKey = "k-draft" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Conflict, draft.StatusCode);
        Assert.Contains("rascunho", (await draft.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var unknown = await admin.PostAsJsonAsync("/api/invoices/987654321/payments", new { amount = 1m, method = "pix", idempotencyKey = "k-x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // the switch key and no key cannot pay
        Assert.Equal(HttpStatusCode.Forbidden, (await cluster.AsSwitch().PostAsJsonAsync(url, new { amount = total, method = "pix", idempotencyKey = "k-s" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cluster.Anonymous().PostAsJsonAsync(url, new { amount = total, method = "pix", idempotencyKey = "k-a" })).StatusCode);

        // a voided invoice cannot be paid
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/invoices/{c.IssuedInvoiceId}/status", new { status = "ANULADO", notifyCustomer = false })).StatusCode);
        var voided = await admin.PostAsJsonAsync(url, new { amount = total, method = "pix", idempotencyKey = "k-v" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Conflict, voided.StatusCode);
        Assert.Equal(before, await PaidAtAsync(cluster, c.IssuedInvoiceId));
    }

    [Fact]
    public async Task WhenNoWebhookSecretIsConfigured_ThenTheWebhookIsUnavailable()
    {
        var r = await cluster.Anonymous().PostAsync("/api/payments/webhook",
            new StringContent("{\"id\":\"p1\",\"invoiceId\":1,\"amount\":1}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Contains("WebhookSecret", (await r.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
