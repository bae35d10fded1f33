using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Api.Infrastructure;
using Billing.Grains.Circuits;
using Billing.Silo.Hosting;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Tests.Operations;

[Collection(ClusterCollection.Name)]
public sealed partial class MetricsTests(ClusterFixture cluster) : IAsyncLifetime
{
    // The call metrics are read from an API host of this class's own. The collection's shared host lost every series
    // of its /metrics (only target_info left, no OpenTelemetry warning) in full runs after other classes' hosts came
    // and went — never when this class ran alone, nor when a host built like theirs (KestrelApi) was started and disposed
    // here on purpose. A fresh host makes what these tests assert — the API's own counters and histograms — independent
    // of what ran before them; the failure message keeps the instruments the process has, should it happen here too.
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _api = null!;

    public Task InitializeAsync()
    {
        _api = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("BILLING_DB", cluster.Database);
            b.UseSetting("BILLING_CLUSTER_ID", cluster.ClusterId);
            b.UseSetting("BILLING_ADMIN_KEY", cluster.AdminKey);
            b.UseSetting("BILLING_SWITCH_KEY", cluster.SwitchKey);
            b.UseEnvironment("Testing");
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private HttpClient Client(string key)
    {
        var c = _api.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    /// <summary>The instruments of the API's meters the process has now (a MeterListener sees every published one on start).</summary>
    private static string Instruments()
    {
        var seen = new List<string>();
        using var l = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (i, _) =>
            {
                if (i.Meter.Name is Billing.Api.Infrastructure.CallMetrics.MeterName or "Microsoft.Orleans") seen.Add(i.Meter.Name + "/" + i.Name);
            },
        };
        l.Start();
        return $"{seen.Count} instrumentos: " + string.Join(", ", seen.Where(x => x.StartsWith("Billing", StringComparison.Ordinal)))
            + $" (+{seen.Count(x => x.StartsWith("Microsoft", StringComparison.Ordinal))} do Orleans)";
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>Sum of every sample of <paramref name="metric"/> whose labels contain all of <paramref name="labels"/>.</summary>
    private static double Sum(string text, string metric, params string[] labels) =>
        Sample().Matches(text)
            .Where(m => m.Groups["name"].Value == metric && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    private async Task<string> Scrape(HttpClient client)
    {
        var r = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>The exporter caches a scrape for a moment: poll until the condition holds (or give up after 5 s).</summary>
    private async Task<string> ScrapeUntil(HttpClient client, Func<string, bool> ok)
    {
        var text = await Scrape(client);
        for (var i = 0; i < 25 && !ok(text); i++)
        {
            await Task.Delay(200);
            text = await Scrape(client);
        }
        // a scrape with nothing but target_info once failed in a full run (never alone): say what OpenTelemetry reported
        return ok(text) ? text : text + "\n-- " + Instruments() + "\n-- OpenTelemetry warnings/errors:\n" + string.Join('\n', OtelDiagnostics.Events);
    }

    /// <summary>OpenTelemetry's own warnings and errors (its EventSources), kept for a failing scrape's message.</summary>
    private sealed class OtelEvents : System.Diagnostics.Tracing.EventListener
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<string> Events = new();

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
                EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Warning);
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
        {
            // EventCounters of every source reach every listener: keep OpenTelemetry's own events only
            if (eventData.EventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal) is false) return;
            Events.Enqueue($"{eventData.EventSource.Name}/{eventData.EventName}: {string.Join(" | ", eventData.Payload ?? [])}");
            while (Events.Count > 40) Events.TryDequeue(out _);
        }
    }

    private static readonly OtelEvents OtelDiagnostics = new();

    // listen from the first test of the class on (not from the first failing scrape)
    static MetricsTests() => _ = OtelDiagnostics.Events;

    [Fact]
    public async Task WhenCallsRun_ThenTheCallCountersAndLatencyHistogramsMoveAtMetrics()
    {
        var admin = Client(cluster.AdminKey);
        var sw = Client(cluster.SwitchKey);
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var account = await Seed.CircuitAsync(admin, customer, plan);
        await Seed.CreditAsync(admin, account, 5m);

        var before = await Scrape(admin);
        double Authorized(string t) => Sum(t, "billing_calls_authorized_total");
        double Completed(string t) => Sum(t, "billing_calls_completed_total", "outcome=\"rated\"");
        double RefusedNoCircuit(string t) => Sum(t, "billing_calls_refused_total", "reason=\"circuito_desconhecido\"");
        double AuthorizeObservations(string t) => Sum(t, "billing_calls_authorize_duration_seconds_count");
        double CompleteObservations(string t) => Sum(t, "billing_calls_complete_duration_seconds_count");

        for (var i = 0; i < 3; i++)
        {
            var id = $"m-{i}-{Guid.NewGuid():N}";
            var a = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = id, account, destination = "1133334444", direction = "outbound" });
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            var c = await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 30 });
            Assert.Equal(HttpStatusCode.OK, c.StatusCode);
        }
        var refused = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = "m-x-" + Guid.NewGuid().ToString("N"), account = "nao-existe!", destination = "1133334444" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);

        var after = await ScrapeUntil(admin, t => Completed(t) >= Completed(before) + 3 && RefusedNoCircuit(t) >= RefusedNoCircuit(before) + 1);
        Assert.True(Authorized(after) >= Authorized(before) + 3, after);
        Assert.True(Completed(after) >= Completed(before) + 3, "billing_calls_completed_total{outcome=rated} did not move");
        Assert.True(RefusedNoCircuit(after) >= RefusedNoCircuit(before) + 1, "billing_calls_refused_total{reason=circuito_desconhecido} did not move");
        Assert.True(AuthorizeObservations(after) >= AuthorizeObservations(before) + 4, "authorize latency histogram did not move");
        Assert.True(CompleteObservations(after) >= CompleteObservations(before) + 3, "complete latency histogram did not move");
        Assert.True(Sum(after, "billing_calls_authorized_total", "call_type=\"local_fixo\"") >= 3, after);
        Assert.Contains("billing_calls_authorize_duration_seconds_bucket", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenASecondApiHostInTheSameProcessIsDisposed_ThenTheFirstHostStillExportsItsCallMetrics()
    {
        // A second API host in the process (another test, or a host restarted in place) shares the meter names;
        // disposing it used to remove the shared metric streams, and this host's /metrics lost every billing_* series.
        var admin = Client(cluster.AdminKey);
        var sw = Client(cluster.SwitchKey);
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), await Seed.PlanAsync(cluster.Grains, 0.10m));
        await Seed.CreditAsync(admin, account, 5m);
        double Completed(string t) => Sum(t, "billing_calls_completed_total", "outcome=\"rated\"");
        async Task CallOnThisHost()
        {
            var id = "m3-" + Guid.NewGuid().ToString("N");
            Assert.Equal(HttpStatusCode.OK, (await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = id, account, destination = "1133334444", direction = "outbound" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await sw.PostAsJsonAsync($"/api/calls/{id}/complete", new { durationSeconds = 30 })).StatusCode);
        }
        await CallOnThisHost();
        var first = await ScrapeUntil(admin, t => Completed(t) >= 1);
        Assert.True(Completed(first) >= 1, first);

        await using (var other = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("BILLING_DB", cluster.Database);
            b.UseSetting("BILLING_CLUSTER_ID", cluster.ClusterId);
            b.UseSetting("BILLING_ADMIN_KEY", cluster.AdminKey);
            b.UseSetting("BILLING_SWITCH_KEY", cluster.SwitchKey);
            b.UseEnvironment("Testing");
        }))
        {
            using var otherSwitch = other.CreateClient();
            otherSwitch.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.SwitchKey);
            var r = await otherSwitch.PostAsJsonAsync("/api/calls/authorize", new { callId = "m2-" + Guid.NewGuid().ToString("N"), account = "nao-existe!", destination = "1133334444" });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }

        await CallOnThisHost();
        var after = await ScrapeUntil(admin, t => Completed(t) >= Completed(first) + 1);
        Assert.True(Completed(after) >= Completed(first) + 1, after);
    }

    [Fact]
    public async Task WhenMetricsAreAskedFromAnotherHostWithoutTheAdminKey_ThenTheyAreRefused()
    {
        using var anonymous = cluster.Anonymous();
        using var req = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        req.Headers.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(req)).StatusCode);

        using var sw = cluster.AsSwitch();
        using var req2 = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        req2.Headers.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(HttpStatusCode.Forbidden, (await sw.SendAsync(req2)).StatusCode);
    }

    [Fact]
    public void WhenTheScraperIsOnLoopbackWithoutAProxyHeader_ThenItIsLocal()
    {
        var local = new DefaultHttpContext();
        local.Connection.RemoteIpAddress = IPAddress.Loopback;
        Assert.True(LoopbackOrAdminRequirement.IsLocal(local));

        var v6 = new DefaultHttpContext();
        v6.Connection.RemoteIpAddress = IPAddress.IPv6Loopback;
        Assert.True(LoopbackOrAdminRequirement.IsLocal(v6));

        var proxied = new DefaultHttpContext();
        proxied.Connection.RemoteIpAddress = IPAddress.Loopback;
        proxied.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
        Assert.False(LoopbackOrAdminRequirement.IsLocal(proxied));

        var remote = new DefaultHttpContext();
        remote.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        Assert.False(LoopbackOrAdminRequirement.IsLocal(remote));
        Assert.False(LoopbackOrAdminRequirement.IsLocal(new DefaultHttpContext()));
    }

    [Fact]
    public async Task WhenTheDashboardIsOpened_ThenOnlyTheAdminKeyGetsInAndABrowserIsAskedForIt()
    {
        using var anonymous = cluster.Anonymous();
        var r = await anonymous.GetAsync("/dashboard/index.html");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains(r.Headers.WwwAuthenticate, h => h.Scheme == "Basic");

        using var sw = cluster.AsSwitch();
        Assert.Equal(HttpStatusCode.Unauthorized, (await sw.GetAsync("/dashboard/index.html")).StatusCode);

        using var browser = cluster.Anonymous();
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + cluster.AdminKey)));
        var page = await browser.GetAsync("/dashboard/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("html", page.Content.Headers.ContentType?.MediaType ?? "", StringComparison.OrdinalIgnoreCase);

        // the dashboard's data comes from the silos' dashboard grains through the API's Orleans client
        using var admin = cluster.AsAdmin();
        var stats = await admin.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var body = await stats.Content.ReadAsStringAsync();
        Assert.Contains("totalActiveHostCount", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WhenTheSiloMetricsPortIsSet_ThenTheSiloServesLedgerAndReservationGauges()
    {
        var admin = cluster.AsAdmin();
        var sw = cluster.AsSwitch();
        var customer = await Seed.CustomerAsync(admin);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var account = await Seed.CircuitAsync(admin, customer, plan);
        await Seed.CreditAsync(admin, account, 5m);
        var held = "held-" + Guid.NewGuid().ToString("N");
        var a = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId = held, account, destination = "1133334444", direction = "outbound" });
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.True(ReservationGauge.Active >= 1);

        var port = Ports.Free();
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SiloObservability.MetricsPortKey] = port.ToString(CultureInfo.InvariantCulture) }).Build();
        Assert.Equal(port, SiloObservability.MetricsPort(config));
        await using var listener = new SiloMetricsListener(port, cluster.Silo.Services.GetRequiredService<SiloGauges>(), NullLogger<SiloMetricsListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var text = await ScrapeUntil(http, t => t.Contains("billing_circuits_reservations_active", StringComparison.Ordinal));
            Assert.Contains("billing_ledger_backlog", text, StringComparison.Ordinal);
            Assert.True(Sum(text, "billing_circuits_reservations_active") >= 1, text);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
            await sw.PostAsJsonAsync($"/api/calls/{held}/complete", new { durationSeconds = 0 });
        }
    }

    [Fact]
    public void WhenTheMetricsPortIsBad_ThenTheSiloRefusesToStart()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SiloObservability.MetricsPortKey] = "abc" }).Build();
        Assert.Throws<InvalidOperationException>(() => SiloObservability.MetricsPort(config));
        Assert.Null(SiloObservability.MetricsPort(new ConfigurationBuilder().Build()));
    }
}
