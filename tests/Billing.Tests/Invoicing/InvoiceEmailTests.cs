using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Billing.Grains.Invoicing;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Billing.Tests.Invoicing;

/// <summary>A minimal SMTP receiver on a TcpListener: accepts every message and parses it with MimeKit.</summary>
public sealed class TinySmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    public List<MimeMessage> Received { get; } = [];

    /// <summary>Runs after a message's data arrived and before the server answers 250 (the sender is waiting then).</summary>
    public Func<Task>? OnData { get; set; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public TinySmtpServer()
    {
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_cts.Token); }
            catch (OperationCanceledException) { return; }
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 localhost ESMTP teste");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var cmd = line.ToUpperInvariant();
                    if (cmd.StartsWith("EHLO", StringComparison.Ordinal) || cmd.StartsWith("HELO", StringComparison.Ordinal)) await writer.WriteLineAsync("250 localhost");
                    else if (cmd.StartsWith("DATA", StringComparison.Ordinal))
                    {
                        await writer.WriteLineAsync("354 fim com <CRLF>.<CRLF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } l && l != ".") data.Append(l.StartsWith("..", StringComparison.Ordinal) ? l[1..] : l).Append("\r\n");
                        using var ms = new MemoryStream(Encoding.Latin1.GetBytes(data.ToString()));
                        lock (Received) Received.Add(MimeMessage.Load(ms));
                        if (OnData is { } hook) await hook();
                        await writer.WriteLineAsync("250 OK");
                    }
                    else if (cmd.StartsWith("QUIT", StringComparison.Ordinal))
                    {
                        await writer.WriteLineAsync("221 tchau");
                        break;
                    }
                    else await writer.WriteLineAsync("250 OK");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _cts.Dispose();
    }
}

[Collection(ClusterCollection.Name)]
public sealed class InvoiceEmailTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenAnIssuedInvoiceIsNotified_ThenTheEmailArrivesAtTheSmtpServerWithThePdfAndIsMarkedSent()
    {
        await using var smtp = new TinySmtpServer();
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Nadir Elza Guimarães");
        var email = "nadir-" + Guid.NewGuid().ToString("N")[..6] + "@example.com";
        (await admin.PostAsJsonAsync($"/api/customers/{customer}/contacts", new { nome = "Nadir", email })).EnsureSuccessStatusCode();
        var account = await Seed.CircuitAsync(admin, customer, null);
        var gen = await (await admin.PostAsJsonAsync("/api/invoices/generate", new { period = "2026-03", account })).JsonAsync();
        var id = gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();
        (await admin.PostAsJsonAsync($"/api/invoices/{id}/status", new { status = "ABERTO" })).EnsureSuccessStatusCode(); // notifyCustomer defaults to true

        var pending = await (await admin.GetAsync("/api/outbox?status=PENDENTE")).JsonAsync();
        Assert.Contains(pending.EnumerateArray(), m => m.GetProperty("recipients")[0].GetString() == email);

        var sender = new OutboxSender(cluster.Db, cluster.Grains,
            Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Tls = "none", From = "faturas@operadora.test" }),
            TimeProvider.System, NullLogger<OutboxSender>.Instance);
        while (await sender.SendDueAsync() > 0) { }

        MimeMessage mail;
        lock (smtp.Received) mail = smtp.Received.Single(m => m.To.Mailboxes.Any(x => x.Address == email));
        Assert.Contains("ABERTO", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Nadir Elza Guimarães", mail.TextBody, StringComparison.Ordinal);
        var pdf = Assert.Single(mail.Attachments.OfType<MimePart>());
        Assert.Equal("application/pdf", pdf.ContentType.MimeType);
        var sent = await (await admin.GetAsync("/api/outbox?status=ENVIADO")).JsonAsync();
        Assert.Contains(sent.EnumerateArray(), m => m.GetProperty("recipients")[0].GetString() == email);
        Assert.Equal(TimeSpan.FromSeconds(30), OutboxSender.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(60), OutboxSender.Backoff(2));
    }
}
