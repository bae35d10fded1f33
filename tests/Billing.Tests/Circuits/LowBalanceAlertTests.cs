using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Grains.PendingBilling;
using Billing.Tests.BillingRuns;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;

namespace Billing.Tests.Circuits;

/// <summary>
/// Low-balance alerts (issue 19): a circuit's available balance (balance + credit limit − holds) crossing one of its
/// thresholds downwards queues one e-mail (outbox) and one signed <c>circuit.balance_low</c> webhook, once per crossing,
/// re-armed by a credit; the state survives a deactivation; bad thresholds are refused with 400.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LowBalanceAlertTests(ClusterFixture cluster)
{
    /// <summary>A circuit of a new customer with a billing contact, on a per-second plan of R$ 0,60/min (R$ 0,01/s), with its thresholds and credit.</summary>
    private async Task<(string Account, string Email, HttpClient Admin, HttpClient Switch)> CircuitAsync(decimal[] thresholds, decimal credit)
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var email = $"financeiro-{Guid.NewGuid():N}@example.com";
        (await admin.PostAsJsonAsync($"/api/customers/{customer}/contacts", new { nome = "Financeiro", email })).EnsureSuccessStatusCode();
        var plan = await Seed.PlanAsync(cluster.Grains, 0.60m);
        var account = Seed.NewAccount();
        var r = await admin.PostAsJsonAsync("/api/circuits", new
        {
            account, name = "Circuito " + account, customerId = customer, planId = plan, areaCode = "11", lowBalanceThresholds = thresholds,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        if (credit != 0) await Seed.CreditAsync(admin, account, credit);
        return (account, email, admin, cluster.AsSwitch());
    }

    /// <summary>A webhook endpoint for circuit.balance_low only (deleted by the caller).</summary>
    private static async Task<long> EndpointAsync(HttpClient admin, string url, string secret)
    {
        var created = await admin.PostAsJsonAsync("/api/webhooks", new { url, events = new[] { LowBalanceRules.WebhookEvent }, secret });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.JsonAsync()).GetProperty("id").GetInt64();
    }

    private async Task<List<(decimal Threshold, decimal Available)>> WebhooksAsync(long endpoint, string account)
    {
        await using var cmd = cluster.Db.CreateCommand(
            "SELECT payload FROM webhook_deliveries WHERE endpoint_id = @e AND event_type = 'circuit.balance_low' ORDER BY id");
        cmd.Parameters.AddWithValue("e", endpoint);
        var rows = new List<(decimal, decimal)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var data = JsonDocument.Parse(r.GetString(0)).RootElement.GetProperty("data");
            if (data.GetProperty("account").GetString() != account) continue;
            rows.Add((data.GetProperty("threshold").GetDecimal(), data.GetProperty("available").GetDecimal()));
        }
        return rows;
    }

    private async Task<List<(string[] To, string Subject)>> EmailsAsync(string email)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT recipients, subject FROM outbox WHERE kind = 'low_balance' AND @m = ANY(recipients) ORDER BY id");
        cmd.Parameters.AddWithValue("m", email);
        var rows = new List<(string[], string)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add((r.GetFieldValue<string[]>(0), r.GetString(1)));
        return rows;
    }

    /// <summary>The alert writes are queued behind the answers: waits until <paramref name="count"/> is reached, then a little more.</summary>
    private static async Task<T> SettledAsync<T>(Func<Task<T>> read, Func<T, bool> reached)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var value = await read();
        while (!reached(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            value = await read();
        }
        await Task.Delay(1000); // anything that would come twice has come by now
        return await read();
    }

    private static Task<HttpResponseMessage> Authorize(HttpClient sw, string callId, string account) =>
        sw.PostAsJsonAsync("/api/calls/authorize", new { callId, account, destination = "1133334444", direction = "outbound" });

    private static async Task Debit(HttpClient admin, string account, decimal amount) =>
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/circuits/{account}/credits",
            new { amount, description = "Ajuste", idempotencyKey = Guid.NewGuid().ToString("N") })).StatusCode);

    [Fact]
    public async Task WhenAHoldCrossesTheThreshold_ThenOneEmailAndOneSignedWebhook_AndLaterCallsBelowItAlertNothingMore()
    {
        await using var receiver = new WebhookReceiver(failFirst: 0);
        var secret = "segredo-" + Guid.NewGuid().ToString("N");
        var (account, email, admin, sw) = await CircuitAsync([8m], 10m);
        var endpoint = await EndpointAsync(admin, receiver.Url, secret);
        try
        {
            var got = await (await admin.GetAsync($"/api/circuits/{account}")).JsonAsync();
            Assert.Equal([8m], got.GetProperty("lowBalanceThresholds").EnumerateArray().Select(e => e.GetDecimal()));

            // 300 s held at R$ 0,01/s: available 10,00 − 3,00 = 7,00 < 8,00
            var a1 = await (await Authorize(sw, "lb1-" + Guid.NewGuid().ToString("N"), account)).JsonAsync();
            Assert.True(a1.GetProperty("allowed").GetBoolean());
            var hooks = await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 1);
            Assert.Equal([(8m, 7.00m)], hooks);
            var mails = await EmailsAsync(email);
            var mail = Assert.Single(mails);
            Assert.Equal([email], mail.To);
            Assert.Contains($"Saldo baixo no circuito {account}", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("R$ 7,00", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("R$ 8,00", mail.Subject, StringComparison.Ordinal);

            // another call held and rated while below: nothing more (only a credit re-arms)
            var callId = "lb2-" + Guid.NewGuid().ToString("N");
            Assert.True((await (await Authorize(sw, callId, account)).JsonAsync()).GetProperty("allowed").GetBoolean());
            (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 60 })).EnsureSuccessStatusCode();
            var status = await cluster.Grains.Circuit(account).GetLowBalance();
            Assert.Equal([8m], status!.Fired.ToArray());
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), _ => true));
            Assert.Single(await EmailsAsync(email));

            // the webhook goes out signed with the endpoint's secret
            var sender = new WebhookSender(cluster.Db, Options.Create(new WebhookOptions()), TimeProvider.System, NullLogger<WebhookSender>.Instance);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!receiver.Requests.Any(r => r.Type == LowBalanceRules.WebhookEvent) && DateTime.UtcNow < deadline)
            {
                await sender.SendDueAsync();
                await Task.Delay(100);
            }
            var request = Assert.Single(receiver.Requests, r => r.Type == LowBalanceRules.WebhookEvent);
            Assert.True(WebhookSignature.Verify(secret, request.Body, request.Signature, DateTimeOffset.UtcNow));
            Assert.False(WebhookSignature.Verify("outro-segredo-qualquer-1234", request.Body, request.Signature, DateTimeOffset.UtcNow));
            var data = JsonDocument.Parse(request.Body).RootElement.GetProperty("data");
            Assert.Equal(account, data.GetProperty("account").GetString());
            Assert.Equal(8m, data.GetProperty("threshold").GetDecimal());
            Assert.Equal(7.00m, data.GetProperty("available").GetDecimal());
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/webhooks/{endpoint}")).StatusCode);
        }
    }

    [Fact]
    public async Task WhenManyConcurrentCallsCrossTheSameThreshold_ThenItAlertsExactlyOnce()
    {
        var (account, email, admin, sw) = await CircuitAsync([5m], 10m);
        var endpoint = await EndpointAsync(admin, "http://127.0.0.1:9/nada", "segredo-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 30 calls at once, each authorized (300 s held = 3,00) and completed (100 s = 1,00): holds and charges cross R$ 5 together
            var ids = Enumerable.Range(0, 30).Select(i => $"lbc-{i}-{Guid.NewGuid():N}").ToList();
            await Task.WhenAll(ids.Select(async id =>
            {
                var a = await (await Authorize(sw, id, account)).JsonAsync();
                if (a.GetProperty("allowed").GetBoolean())
                    (await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 100 })).EnsureSuccessStatusCode();
            }));
            var hooks = await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 1);
            Assert.Single(hooks);
            Assert.Equal(5m, hooks[0].Threshold);
            Assert.True(hooks[0].Available < 5m);
            Assert.Single(await EmailsAsync(email));
            await using var cmd = cluster.Db.CreateCommand("SELECT alerts FROM circuit_balance_alerts WHERE account = @a AND threshold = 5");
            cmd.Parameters.AddWithValue("a", account);
            Assert.Equal(1, (int)(await cmd.ExecuteScalarAsync())!);
        }
        finally
        {
            await admin.DeleteAsync($"/api/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task WhenACreditLiftsTheBalanceAboveTheThreshold_ThenItIsReArmedAndTheNextCrossingAlertsAgain()
    {
        var (account, email, admin, _) = await CircuitAsync([10m], 12m);
        var endpoint = await EndpointAsync(admin, "http://127.0.0.1:9/nada", "segredo-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Debit(admin, account, -3m); // 9 < 10
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 1));
            await Seed.CreditAsync(admin, account, 0.50m); // 9,50: still below, not re-armed
            await Debit(admin, account, -1m);
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), _ => true));
            Assert.Equal([10m], (await cluster.Grains.Circuit(account).GetLowBalance())!.Fired.ToArray());

            await Seed.CreditAsync(admin, account, 5m); // 13,50: re-armed, durable before the credit answered
            Assert.Empty((await cluster.Grains.Circuit(account).GetLowBalance())!.Fired.ToArray());
            await using (var cmd = cluster.Db.CreateCommand("SELECT fired FROM circuit_balance_alerts WHERE account = @a AND threshold = 10"))
            {
                cmd.Parameters.AddWithValue("a", account);
                Assert.False((bool)(await cmd.ExecuteScalarAsync())!);
            }
            await Debit(admin, account, -4m); // 9,50 < 10 again
            var hooks = await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 2);
            Assert.Equal([(10m, 9.00m), (10m, 9.50m)], hooks);
            Assert.Equal(2, (await EmailsAsync(email)).Count);
        }
        finally
        {
            await admin.DeleteAsync($"/api/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task WhenOneDebitCrossesTwoThresholds_ThenEachAlertsOnce()
    {
        var (account, email, admin, _) = await CircuitAsync([8m, 5m, 1m], 10m);
        var endpoint = await EndpointAsync(admin, "http://127.0.0.1:9/nada", "segredo-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Debit(admin, account, -6m); // 4: below 8 and 5, not below 1
            var hooks = await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 2);
            Assert.Equal([(5m, 4m), (8m, 4m)], hooks.OrderBy(h => h.Threshold));
            var mails = await EmailsAsync(email);
            Assert.Equal(2, mails.Count);
            Assert.Contains(mails, m => m.Subject.Contains("abaixo de R$ 8,00", StringComparison.Ordinal));
            Assert.Contains(mails, m => m.Subject.Contains("abaixo de R$ 5,00", StringComparison.Ordinal));
        }
        finally
        {
            await admin.DeleteAsync($"/api/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task WhenTheCircuitIsDeactivatedAfterAnAlert_ThenTheNextActivationNeitherRepeatsNorLosesIt()
    {
        var (account, email, admin, sw) = await CircuitAsync([8m], 10m);
        var endpoint = await EndpointAsync(admin, "http://127.0.0.1:9/nada", "segredo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var callId = "lbr-" + Guid.NewGuid().ToString("N");
            Assert.True((await (await Authorize(sw, callId, account)).JsonAsync()).GetProperty("allowed").GetBoolean()); // 7 < 8
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 1));

            var grain = cluster.Grains.Circuit(account);
            await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            await Task.Delay(300);
            // the new activation reloads the hold (still below) and the fired state: nothing is sent again
            var status = await grain.GetLowBalance();
            Assert.Equal(7.00m, status!.Available);
            Assert.Equal(8m, status.Below);
            Assert.Equal([8m], status.Fired.ToArray());
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), _ => true));
            Assert.Single(await EmailsAsync(email));

            // a crash between the crossing and its transaction (nothing of it committed): the next activation alerts it
            await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
            await Task.Delay(300);
            await using (var lost = cluster.Db.CreateCommand(
                """
                UPDATE circuit_balance_alerts SET fired = false, alerts = alerts - 1 WHERE account = @a;
                DELETE FROM outbox WHERE kind = 'low_balance' AND @m = ANY(recipients);
                DELETE FROM webhook_deliveries WHERE endpoint_id = @e;
                """))
            {
                lost.Parameters.AddWithValue("a", account);
                lost.Parameters.AddWithValue("m", email);
                lost.Parameters.AddWithValue("e", endpoint);
                await lost.ExecuteNonQueryAsync();
            }
            Assert.Equal([8m], (await grain.GetLowBalance())!.Fired.ToArray());
            Assert.Equal([(8m, 7.00m)], await SettledAsync(() => WebhooksAsync(endpoint, account), h => h.Count >= 1));
            Assert.Single(await EmailsAsync(email));

            // below it goes on without a credit: nothing more
            (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 120 })).EnsureSuccessStatusCode();
            await Debit(admin, account, -1m);
            Assert.Single(await SettledAsync(() => WebhooksAsync(endpoint, account), _ => true));
            Assert.Single(await EmailsAsync(email));
        }
        finally
        {
            await admin.DeleteAsync($"/api/webhooks/{endpoint}");
        }
    }

    [Theory]
    [InlineData("[10, 10]", "repetir")]
    [InlineData("[10.555]", "2 casas decimais")]
    [InlineData("[-1]", "negativos")]
    [InlineData("[1, 2, 3, 4, 5, 6]", "No máximo 5")]
    public async Task WhenThresholdsAreInvalid_Then400NamesTheFieldAndNothingChanges(string thresholds, string message)
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = Seed.NewAccount();
        var body = $$"""{"account":"{{account}}","name":"Circuito","customerId":{{customer}},"areaCode":"11","lowBalanceThresholds":{{thresholds}}}""";
        var r = await admin.PostAsync("/api/circuits", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var errors = (await r.JsonAsync()).GetProperty("errors");
        Assert.Contains(message, errors.GetProperty("lowBalanceThresholds")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{account}")).StatusCode);

        // an existing circuit keeps its thresholds when a PUT brings bad ones
        var existing = await Seed.CircuitAsync(admin, customer, null);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/circuits/{existing}", new { lowBalanceThresholds = new[] { 20m, 5.5m } })).StatusCode);
        var put = await admin.PutAsync($"/api/circuits/{existing}",
            new StringContent($$"""{"lowBalanceThresholds":{{thresholds}}}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.True((await put.JsonAsync()).GetProperty("errors").TryGetProperty("lowBalanceThresholds", out _));
        var got = await (await admin.GetAsync($"/api/circuits/{existing}")).JsonAsync();
        Assert.Equal([20m, 5.5m], got.GetProperty("lowBalanceThresholds").EnumerateArray().Select(e => e.GetDecimal()));
        await using var cmd = cluster.Db.CreateCommand("SELECT low_balance_thresholds FROM circuits WHERE account = @a");
        cmd.Parameters.AddWithValue("a", existing);
        Assert.Equal([20m, 5.5m], (decimal[])(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public void WhenTheDefaultThresholdsSettingIsInvalid_ThenTheHostRefusesToStartNamingIt()
    {
        var problems = Billing.GrainInterfaces.Hosting.OptionRanges.Problems(new LowBalanceOptions { DefaultThresholds = [10m, 10m] }, LowBalanceOptions.Section);
        Assert.Contains(problems, p => p.StartsWith("Billing:LowBalance:DefaultThresholds:", StringComparison.Ordinal));
        Assert.Empty(Billing.GrainInterfaces.Hosting.OptionRanges.Problems(new LowBalanceOptions { DefaultThresholds = [10m, 0m] }, LowBalanceOptions.Section));
        Assert.Equal([10m, 0m], LowBalanceRules.Effective(null, [0m, 10m]).ToArray());
        Assert.Equal([3m], LowBalanceRules.Effective([3m], [0m, 10m]).ToArray());
        Assert.Empty(LowBalanceRules.Effective([], [0m, 10m]));
        Assert.Equal(10m, LowBalanceRules.Below(9.99m, [10m, 0m]));
        Assert.Null(LowBalanceRules.Below(10m, [10m, 0m]));
    }
}
