using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Grains.PendingBilling;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Billing.Tests.BillingRuns;

/// <summary>A webhook receiver on HttpListener: records every request; answers 500 to the first <c>failFirst</c> ones.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _seen;
    public ConcurrentQueue<(string EventId, string Type, string Signature, byte[] Body, int Answered)> Requests { get; } = new();
    public string Url { get; }

    public WebhookReceiver(int failFirst)
    {
        var port = Ports.Free();
        Url = $"http://127.0.0.1:{port}/hooks/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception) { return; }
                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                var code = Interlocked.Increment(ref _seen) <= failFirst ? 500 : 200;
                Requests.Enqueue((ctx.Request.Headers[WebhookSignature.EventIdHeader] ?? "", ctx.Request.Headers[WebhookSignature.EventTypeHeader] ?? "",
                    ctx.Request.Headers[WebhookSignature.SignatureHeader] ?? "", ms.ToArray(), code));
                ctx.Response.StatusCode = code;
                ctx.Response.Close();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

[Collection(ClusterCollection.Name)]
public sealed class WebhooksTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenABillingIsCreatedAndCancelled_ThenSignedEventsAreDeliveredWithRetriesUnderAStableEventId()
    {
        await using var receiver = new WebhookReceiver(failFirst: 1);
        var admin = cluster.AsAdmin();
        var secret = "segredo-" + Guid.NewGuid().ToString("N");
        var bad = await admin.PostAsJsonAsync("/api/webhooks", new { url = "ftp://x", events = new[] { "billing.nope" }, secret = "curto" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var created = await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "billing.created", "billing.cancelled" }, secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = await created.JsonAsync();
        var endpointId = endpoint.GetProperty("id").GetInt64();
        Assert.Equal(secret, endpoint.GetProperty("secret").GetString());
        var listed = await (await admin.GetAsync("/api/webhooks")).JsonAsync();
        Assert.Contains(listed.EnumerateArray(), w => w.GetProperty("id").GetInt64() == endpointId && w.GetProperty("secret").ValueKind == JsonValueKind.Null);
        try
        {
            var cus = await Seed.CustomerAsync(admin);
            (await admin.PostAsJsonAsync("/api/billing/avulsos", new { customerId = cus, date = "2026-05-02", description = "Ativação", amount = 12.34m }))
                .EnsureSuccessStatusCode();
            var bill = await (await admin.PostAsJsonAsync("/api/billing", new { customerId = cus, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" }))
                .JsonAsync();
            var billingId = bill.GetProperty("id").GetInt64();
            (await admin.PostAsJsonAsync($"/api/billing/{billingId}/cancel", new { reason = "teste" })).EnsureSuccessStatusCode();

            var sender = new WebhookSender(cluster.Db, Options.Create(new WebhookOptions()), TimeProvider.System, NullLogger<WebhookSender>.Instance);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                await sender.SendDueAsync();
                var page = await (await admin.GetAsync($"/api/webhooks/{endpointId}/deliveries")).JsonAsync();
                var rows = page.GetProperty("items").EnumerateArray().ToList();
                if (rows.Count == 2 && rows.All(r => r.GetProperty("status").GetString() == "ENVIADO")) break;
                Assert.True(DateTime.UtcNow < deadline, page.ToString());
                // a failed attempt waits its backoff: bring it forward instead of sleeping
                await using var cmd = cluster.Db.CreateCommand("UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = @e AND status = 'PENDENTE'");
                cmd.Parameters.AddWithValue("e", endpointId);
                await cmd.ExecuteNonQueryAsync();
                await Task.Delay(100);
            }

            var requests = receiver.Requests.ToList();
            Assert.Equal(500, requests[0].Answered);
            // t=<unix seconds>,v1=<HMAC-SHA256 of "{t}.{body}">: each attempt signed at its own moment
            Assert.All(requests, r => Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", r.Signature));
            Assert.All(requests, r => Assert.True(WebhookSignature.Verify(secret, r.Body, r.Signature, DateTimeOffset.UtcNow)));
            Assert.False(WebhookSignature.Verify("outro-segredo-qualquer", requests[0].Body, requests[0].Signature, DateTimeOffset.UtcNow));
            // a replay captured now and sent again in 10 minutes is refused
            Assert.False(WebhookSignature.Verify(secret, requests[0].Body, requests[0].Signature, DateTimeOffset.UtcNow.AddMinutes(10)));
            var events = requests.GroupBy(r => r.EventId).ToList();
            Assert.Equal(2, events.Count); // created + cancelled; the retried one kept its event id
            Assert.Contains(events, g => g.Count() >= 2);
            var createdEvent = requests.First(r => r.Type == "billing.created");
            var body = JsonDocument.Parse(createdEvent.Body).RootElement;
            Assert.Equal(createdEvent.EventId, body.GetProperty("id").GetString());
            Assert.Equal(billingId, body.GetProperty("data").GetProperty("billingId").GetInt64());
            Assert.Equal(12.34m, body.GetProperty("data").GetProperty("valorReal").GetDecimal());
            Assert.Contains(requests, r => r.Type == "billing.cancelled");
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/{endpointId}")).StatusCode);
        }
    }

    [Fact]
    public async Task WhenAnInvoiceChangesStatus_ThenAnInvoiceStatusChangedEventIsQueuedInTheSameTransaction()
    {
        var admin = cluster.AsAdmin();
        var created = await (await admin.PostAsJsonAsync("/api/webhooks",
            new { url = "http://127.0.0.1:9/nada", events = new[] { "invoice.status_changed" } })).JsonAsync();
        var endpointId = created.GetProperty("id").GetInt64();
        Assert.Equal(64, created.GetProperty("secret").GetString()!.Length); // generated when not given
        try
        {
            var customer = await Seed.CustomerAsync(admin);
            var account = await Seed.CircuitAsync(admin, customer, null);
            var gen = await (await admin.PostAsJsonAsync("/api/invoices/generate", new { period = "2026-02", account })).JsonAsync();
            var id = gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();
            (await admin.PostAsJsonAsync($"/api/invoices/{id}/status", new { status = "ABERTO", notifyCustomer = false })).EnsureSuccessStatusCode();
            var page = await (await admin.GetAsync($"/api/webhooks/{endpointId}/deliveries")).JsonAsync();
            var delivery = Assert.Single(page.GetProperty("items").EnumerateArray());
            Assert.Equal("invoice.status_changed", delivery.GetProperty("eventType").GetString());
            var data = JsonDocument.Parse(delivery.GetProperty("payload").GetString()!).RootElement.GetProperty("data");
            Assert.Equal(id, data.GetProperty("invoiceId").GetInt64());
            Assert.Equal("RASCUNHO", data.GetProperty("from").GetString());
            Assert.Equal("ABERTO", data.GetProperty("to").GetString());
        }
        finally
        {
            (await admin.DeleteAsync($"/api/webhooks/{endpointId}")).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public void WhenASignatureIsReplayedLaterOrItsTimestampOrBodyIsChanged_ThenVerifyRefusesIt()
    {
        var secret = "segredo-do-recebedor-123";
        var body = "{\"id\":\"e1\",\"type\":\"billing.created\"}"u8.ToArray();
        var sentAt = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var header = WebhookSignature.Sign(secret, body, sentAt);
        Assert.Equal("t=" + sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), header.Split(',')[0]);
        byte[] signed = [.. System.Text.Encoding.UTF8.GetBytes(sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "."), .. body];
        var hmac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), signed));
        Assert.Equal("v1=" + hmac, header.Split(',')[1]); // what a receiver in any language recomputes

        Assert.True(WebhookSignature.Verify(secret, body, header, sentAt.AddSeconds(30)));
        Assert.False(WebhookSignature.Verify(secret, body, header, sentAt.AddMinutes(6)));   // replayed later
        Assert.False(WebhookSignature.Verify(secret, body, header, sentAt.AddMinutes(-6)));  // from the future
        var newer = sentAt.AddMinutes(6).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(WebhookSignature.Verify(secret, body, "t=" + newer + "," + header.Split(',')[1], sentAt.AddMinutes(6))); // timestamp swapped
        Assert.False(WebhookSignature.Verify(secret, [.. body, (byte)' '], header, sentAt));                                 // body changed
        Assert.False(WebhookSignature.Verify(secret, body, "sha256=" + hmac, sentAt));                                        // old format
        Assert.False(WebhookSignature.Verify(secret, body, null, sentAt));
    }

    [Fact]
    public void WhenTheBackoffGrows_ThenItDoublesFromTenSecondsUpToAnHour()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), WebhookSignature.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(20), WebhookSignature.Backoff(2));
        Assert.Equal(TimeSpan.FromHours(1), WebhookSignature.Backoff(30));
    }
}
