using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Billing.Tests.Calls;

/// <summary>The shard function: the API and every silo must pick the same shard for a call id, forever.</summary>
public sealed class CallRouteShardFunctionTests
{
    [Theory]
    [InlineData("call-42", 64, 46)]
    [InlineData("ligação-ção-1", 64, 53)]
    [InlineData("a3f1c2e4-0000-4000-8000-000000000001@10.0.0.1", 64, 49)]
    // with a huge count the shard is (almost) the raw FNV-1a hash: a change of algorithm shows here
    [InlineData("call-42", int.MaxValue, 409932462)]
    [InlineData("ligação-ção-1", int.MaxValue, 939684662)]
    public void WhenAShardIsComputed_ThenItIsTheKnownFnv1aValue(string callId, int count, int expected)
    {
        Assert.Equal(expected, CallRoutes.Shard(callId, count));
        Assert.Equal(expected, CallRoutes.Shard(new string(callId.ToCharArray()), count)); // same value, another string instance
    }

    [Fact]
    public void WhenTenThousandCallIdsAreSharded_ThenEveryShardGetsAFairPart()
    {
        foreach (var format in new[] { "call-{0}", "{0:D6}-sip@10.0.0.1" })
        {
            var counts = new int[CallRoutes.DefaultShards];
            for (var i = 0; i < 10_000; i++)
            {
                var shard = CallRoutes.Shard(string.Format(CultureInfo.InvariantCulture, format, i), CallRoutes.DefaultShards);
                Assert.InRange(shard, 0, CallRoutes.DefaultShards - 1);
                counts[shard]++;
            }
            // 156 expected per shard
            Assert.All(counts, c => Assert.InRange(c, 110, 205));
        }
    }

    [Fact]
    public void WhenTheCountIsInvalid_ThenShardRefuses() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CallRoutes.Shard("x", 0));
}

/// <summary>extend/complete find the call's circuit through the route shards (shared cluster, real clock).</summary>
[Collection(ClusterCollection.Name)]
public sealed class CallRouteTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenACompleteHasNoAccount_ThenTheRouteFindsTheCircuitThatAuthorizedIt()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var cheap = await Seed.CircuitAsync(admin, customer, await Seed.PlanAsync(cluster.Grains, 0.06m));
        var dear = await Seed.CircuitAsync(admin, customer, await Seed.PlanAsync(cluster.Grains, 0.60m));
        await Seed.CreditAsync(admin, cheap, 10m);
        await Seed.CreditAsync(admin, dear, 10m);
        var sw = cluster.AsSwitch();
        var callId = "rt-" + Guid.NewGuid().ToString("N");

        var auth = await (await sw.PostAsJsonAsync("/api/calls/authorize",
            new { callId, account = dear, destination = "1133334444", direction = "outbound" })).JsonAsync();
        Assert.True(auth.GetProperty("allowed").GetBoolean());
        Assert.Equal(dear, await cluster.Grains.RouteShard(callId, CallRoutes.DefaultShards).GetAccount(callId));

        var ext = await (await sw.PostAsync($"/api/calls/{callId}/extend", null)).JsonAsync();
        Assert.True(ext.GetProperty("allowed").GetBoolean());

        var first = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 60 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstText = await first.Content.ReadAsStringAsync();
        var done = await first.JsonAsync();
        Assert.Equal(0.60m, done.GetProperty("cost").GetDecimal()); // the dear circuit's price, not the cheap one's
        Assert.Equal(9.40m, done.GetProperty("balance").GetDecimal());
        Assert.Equal(1L, await LedgerCalls(dear, callId));
        Assert.Equal(0L, await LedgerCalls(cheap, callId));

        // the route outlives the complete for a while: a retry still finds it and gets the first answer
        await Task.Delay(200);
        Assert.Equal(dear, await cluster.Grains.RouteShard(callId, CallRoutes.DefaultShards).GetAccount(callId));
        var retry = await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 60 });
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(firstText, await retry.Content.ReadAsStringAsync());
        Assert.Equal(1L, await LedgerCalls(dear, callId));
    }

    [Fact]
    public async Task WhenACallWasNeverAuthorized_ThenExtendDoesNotFindIt()
    {
        // a call id nobody authorized has no route
        var unknown = "none-" + Guid.NewGuid().ToString("N");
        Assert.Null(await cluster.Grains.RouteShard(unknown, CallRoutes.DefaultShards).GetAccount(unknown));
        var ext = await (await cluster.AsSwitch().PostAsync($"/api/calls/{unknown}/extend", null)).JsonAsync();
        Assert.False(ext.GetProperty("allowed").GetBoolean());
        Assert.Equal("chamada_desconhecida", ext.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ACompleteSaysWhetherItSettledAnAuthorization_SoTheApiOnlyShortensRoutesThatExist()
    {
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), await Seed.PlanAsync(cluster.Grains, 0.06m));
        await Seed.CreditAsync(admin, account, 10m);
        var circuit = cluster.Grains.Circuit(account);
        var authorizedId = "au-" + Guid.NewGuid().ToString("N");
        var auth = await circuit.Authorize(new AuthorizeRequest(authorizedId, "1133334444", CallDirection.Outbound, null));
        Assert.True(auth.Allowed);

        var settled = await circuit.Complete(new CompleteRequest { CallId = authorizedId, DurationSeconds = 30 });
        var unannounced = await circuit.Complete(new CompleteRequest
        {
            CallId = "un-" + Guid.NewGuid().ToString("N"), DurationSeconds = 30, Destination = "1133334444",
        });

        Assert.Equal(CompleteStatus.Rated, settled.Status);
        Assert.True(settled.Authorized);
        Assert.Equal(CompleteStatus.Rated, unannounced.Status);
        Assert.False(unannounced.Authorized);
    }

    private async Task<long> LedgerCalls(string account, string callId)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM ledger WHERE account = @a AND kind = 'call' AND call_id = @c");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("c", callId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// Runs alone, after the parallel collections: its second in-process API host would otherwise publish the same
/// <c>Billing.Calls</c> meter while <c>MetricsTests</c> scrapes the shared API's counters.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecondApiHostCollection
{
    public const string Name = "second-api-host";
}

/// <summary>Routes expire on the injected clock: a cluster of its own with a fake clock and a 1 s prune timer.</summary>
[Collection(SecondApiHostCollection.Name)]
public sealed class CallRouteExpiryTests
{
    [Fact]
    public async Task WhenRoutesOutliveTheirTtlOrKeepTime_ThenTheyArePrunedAndTheLedgerAnswersRetries()
    {
        var cs = await TestDatabase.CreateAsync("billing_routes");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clusterId = "rte-" + Guid.NewGuid().ToString("N")[..6];
        var adminKey = "admin-" + Guid.NewGuid().ToString("N");
        var switchKey = "switch-" + Guid.NewGuid().ToString("N");
        try
        {
            await using var silo = await InProcessSilo.StartAsync(cs, clusterId, "silo-r",
                services => services.AddSingleton<TimeProvider>(clock),
                new Dictionary<string, string?>
                {
                    ["Billing:Calls:RoutePruneSeconds"] = "1",
                    ["Billing:Calls:RouteTtlSeconds"] = "21600",
                    ["Billing:Calls:RouteKeepAfterCompleteSeconds"] = "120",
                });
            await using var api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
            {
                b.UseSetting("BILLING_DB", cs);
                b.UseSetting("BILLING_CLUSTER_ID", clusterId);
                b.UseSetting("BILLING_ADMIN_KEY", adminKey);
                b.UseSetting("BILLING_SWITCH_KEY", switchKey);
                b.UseEnvironment("Testing");
            });
            HttpClient With(string key)
            {
                var c = api.CreateClient();
                c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                return c;
            }
            using var admin = With(adminKey);
            using var sw = With(switchKey);
            var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), await Seed.PlanAsync(silo.Grains, 0.60m));
            await Seed.CreditAsync(admin, account, 10m);

            var done = "done-" + Guid.NewGuid().ToString("N");
            var lost = "lost-" + Guid.NewGuid().ToString("N");
            var refused = "refused-" + Guid.NewGuid().ToString("N");
            var doneShard = silo.Grains.RouteShard(done, CallRoutes.DefaultShards);
            var lostShard = silo.Grains.RouteShard(lost, CallRoutes.DefaultShards);
            foreach (var id in new[] { done, lost })
            {
                var a = await (await sw.PostAsJsonAsync("/api/calls/authorize",
                    new { callId = id, account, destination = "1133334444", direction = "outbound" })).JsonAsync();
                Assert.True(a.GetProperty("allowed").GetBoolean());
            }
            // a refused call (no such circuit) keeps its route only briefly, like a completed one
            var no = await (await sw.PostAsJsonAsync("/api/calls/authorize",
                new { callId = refused, account = Seed.NewAccount(), destination = "1133334444", direction = "outbound" })).JsonAsync();
            Assert.False(no.GetProperty("allowed").GetBoolean());
            var shards = new[] { done, lost, refused }.Select(id => CallRoutes.Shard(id, CallRoutes.DefaultShards)).Distinct().ToList();
            async Task<int> Held() => (await Task.WhenAll(shards.Select(k => silo.Grains.GetGrain<ICallRouteShardGrain>(k).Count()))).Sum();
            Assert.Equal(3, await Held());
            var first = await sw.PostAsJsonAsync($"/api/calls/{done}/complete", new { durationSeconds = 30 });
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var firstText = await first.Content.ReadAsStringAsync();
            await Task.Delay(1000); // the API tells the shard "completed" after answering (fire and forget)

            // past the keep-after-complete time: the completed route goes (only if Completed reached the shard:
            // otherwise it would live the whole 6 h TTL); the call in progress stays
            clock.Advance(TimeSpan.FromSeconds(121));
            Assert.True(await Eventually(async () => await doneShard.GetAccount(done) is null), "a rota da chamada completada não expirou");
            Assert.True(await Eventually(async () => await Held() == 1), "as rotas expiradas não foram podadas");
            Assert.Null(await silo.Grains.RouteShard(refused, CallRoutes.DefaultShards).GetAccount(refused));
            Assert.Equal(account, await lostShard.GetAccount(lost));

            // a retried complete without account: answered from the ledger, same answer, charged once
            var retry = await sw.PostAsJsonAsync($"/api/calls/{done}/complete", new { durationSeconds = 30 });
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(firstText, await retry.Content.ReadAsStringAsync());
            await using (var db = NpgsqlDataSource.Create(cs))
            await using (var cmd = db.CreateCommand("SELECT count(*) FROM ledger WHERE kind = 'call' AND call_id = @c"))
            {
                cmd.Parameters.AddWithValue("c", done);
                Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
            }

            // extend refreshes the route: 6 h after authorize it is still there
            var ext = await (await sw.PostAsync($"/api/calls/{lost}/extend", null)).JsonAsync();
            Assert.True(ext.GetProperty("allowed").GetBoolean());
            clock.Advance(TimeSpan.FromSeconds(21_600 - 60));
            await Task.Delay(1500); // a prune or two
            Assert.Equal(account, await lostShard.GetAccount(lost));

            // past the TTL since the extend: pruned, and a complete without account is a 404 (never rated)
            clock.Advance(TimeSpan.FromSeconds(120));
            Assert.True(await Eventually(async () => await Held() == 0), "a rota vencida não foi podada");
            Assert.Null(await lostShard.GetAccount(lost));
            var gone = await sw.PostAsJsonAsync($"/api/calls/{lost}/complete", new { durationSeconds = 30 });
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal($"Chamada {lost} desconhecida: envie 'account' e 'destination' no complete de chamadas não autorizadas.",
                (await gone.JsonAsync()).GetProperty("detail").GetString());
        }
        finally
        {
            await TestDatabase.DropAsync(cs);
        }
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await condition()) return true;
            await Task.Delay(250);
        }
        return await condition();
    }
}
