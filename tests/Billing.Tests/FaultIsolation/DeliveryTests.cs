using System.Net;
using Billing.Grains.Invoicing;
using Billing.Grains.PendingBilling;
using Billing.Tests.Infrastructure;
using Billing.Tests.Invoicing;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Tests.FaultIsolation;

/// <summary>
/// Issue 15, items 4 and 5: no transaction or row lock is held while a webhook POST or an SMTP conversation is in
/// flight (a slow receiver must not block other work on those rows), and SMTP needs TLS unless told <c>none</c>.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeliveryTests(ClusterFixture cluster)
{
    /// <summary>Tries to lock the row with NOWAIT from another connection: true when nobody holds it.</summary>
    private async Task<bool> RowIsFreeAsync(string table, long id)
    {
        await using var conn = await cluster.Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT id FROM {table} WHERE id = @id FOR UPDATE NOWAIT", conn, tx);
        cmd.Parameters.AddWithValue("id", id);
        try
        {
            await cmd.ExecuteScalarAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return false;
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }

    private async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WhenAWebhookPostIsInFlight_ThenItsDeliveryRowIsNotLockedAndTheOutcomeIsRecordedAfterwards()
    {
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}/lento/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(url);
        listener.Start();
        var endpoint = await ScalarAsync(
            "INSERT INTO webhook_endpoints (url, secret, events, active, created_at, updated_at) VALUES (@u, 'segredo-segredo-123', '{billing.created}', true, now(), now()) RETURNING id",
            ("u", url));
        var delivery = await ScalarAsync(
            "INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, next_attempt_at, created_at) VALUES (@e, @g, 'billing.created', '{}', now() - interval '1 second', now()) RETURNING id",
            ("e", endpoint), ("g", Guid.NewGuid()));
        try
        {
            var free = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var receiver = Task.Run(async () =>
            {
                var ctx = await listener.GetContextAsync();
                // the sender waits for this answer: is the row (or its transaction) still held meanwhile?
                free.TrySetResult(await RowIsFreeAsync("webhook_deliveries", delivery));
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            });
            var sender = new WebhookSender(cluster.Db, Options.Create(new WebhookOptions()), TimeProvider.System, NullLogger<WebhookSender>.Instance);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!receiver.IsCompleted && DateTime.UtcNow < deadline)
            {
                await sender.SendDueAsync(); // the silo's own sender may be the one that posts it: same code
                await Task.Delay(100);
            }
            await receiver.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(await free.Task, "a transaction held the delivery row locked while the POST was in flight");
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (await ScalarAsync("SELECT count(*) FROM webhook_deliveries WHERE id = @id AND status = 'ENVIADO' AND locked_until IS NULL", ("id", delivery)) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the outcome was never recorded");
                await Task.Delay(100);
            }
        }
        finally
        {
            await ScalarAsync("UPDATE webhook_endpoints SET active = false, deleted_at = now() WHERE id = @id RETURNING id", ("id", endpoint));
        }
    }

    private async Task<long> QueueEmailAsync(string to) => await ScalarAsync(
        """
        INSERT INTO outbox (kind, recipients, subject, body, next_attempt_at, created_at)
        VALUES ('teste', ARRAY[@to], 'Teste', 'Corpo', now() - interval '1 second', now()) RETURNING id
        """, ("to", to));

    [Fact]
    public async Task WhenAnEmailIsInFlight_ThenItsOutboxRowIsNotLockedAndItIsMarkedSentAfterwards()
    {
        await using var smtp = new TinySmtpServer();
        var id = await QueueEmailAsync("lento-" + Guid.NewGuid().ToString("N")[..6] + "@example.com");
        var checks = new List<bool>();
        smtp.OnData = async () =>
        {
            var free = await RowIsFreeAsync("outbox", id);
            lock (checks) checks.Add(free);
        };
        var sender = new OutboxSender(cluster.Db, cluster.Grains,
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Tls = "none", From = "faturas@operadora.test" }),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        while (await sender.SendDueAsync() > 0) { }
        lock (checks) Assert.NotEmpty(checks);
        lock (checks) Assert.All(checks, Assert.True);
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'ENVIADO' AND locked_until IS NULL", ("id", id)));
    }

    [Fact]
    public async Task WhenSmtpTlsIsNotConfigured_ThenAServerWithoutStartTlsGetsNothingAndTheMessageWaits()
    {
        await using var smtp = new TinySmtpServer(); // plain, offers no STARTTLS
        var to = "tls-" + Guid.NewGuid().ToString("N")[..6] + "@example.com";
        var id = await QueueEmailAsync(to);
        var sender = new OutboxSender(cluster.Db, cluster.Grains,
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, From = "faturas@operadora.test" }), // Tls not set
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        await sender.SendDueAsync();
        lock (smtp.Received) Assert.DoesNotContain(smtp.Received, m => m.To.Mailboxes.Any(x => x.Address == to));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM outbox WHERE id = @id AND status = 'PENDENTE' AND last_error IS NOT NULL", ("id", id)));
        // leave it out of other tests' way
        await ScalarAsync("UPDATE outbox SET status = 'FALHOU' WHERE id = @id RETURNING id", ("id", id));
    }

    [Theory]
    [InlineData(null, SecureSocketOptions.StartTls)]
    [InlineData("starttls", SecureSocketOptions.StartTls)]
    [InlineData("TLS", SecureSocketOptions.SslOnConnect)]
    [InlineData("ssl", SecureSocketOptions.SslOnConnect)]
    [InlineData("none", SecureSocketOptions.None)]
    public void WhenTheTlsSettingIsRead_ThenOnlyAnExplicitNoneIsPlainText(string? setting, SecureSocketOptions expected) =>
        Assert.Equal(expected, SmtpOptions.SecureSocket(setting));

    [Fact]
    public void WhenTheTlsSettingIsAutoOrUnknown_ThenItIsRefusedRatherThanFallingBackToPlainText()
    {
        Assert.Equal(SecureSocketOptions.StartTls, SmtpOptions.SecureSocket(new SmtpOptions().Tls));
        Assert.Throws<InvalidOperationException>(() => SmtpOptions.SecureSocket("auto"));
        Assert.Throws<InvalidOperationException>(() => SmtpOptions.SecureSocket("talvez"));
    }
}
