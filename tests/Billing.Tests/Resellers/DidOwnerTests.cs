using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Billing.GrainInterfaces.Dids;
using Billing.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Billing.Tests.Resellers;

/// <summary>DIDs created in bulk are written by the one owner of <c>dids</c>, and each DID grain knows its number at once.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DidOwnerTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task<long> Scalar(string sql, string[] numbers)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("n", numbers);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WhenAThousandDidsAreCreatedInBulk_ThenEachIsStoredAuditedOnceAndKnownToItsGrainAtOnce()
    {
        var admin = cluster.AsAdmin();
        var rid = await ResellerSeed.ResellerAsync(admin);
        var prefix = "+55119" + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture) + Random.Shared.Next(10, 99).ToString(CultureInfo.InvariantCulture);
        var numbers = Enumerable.Range(0, 1000).Select(i => prefix + i.ToString("000", CultureInfo.InvariantCulture)).ToArray();

        // a grain asked about a number before it exists, then the number is created: the grain must not keep "unknown"
        var early = cluster.Grains.Did(numbers[7]);
        Assert.Null(await early.Get());
        // one number exists already: reported as duplicate, not created twice
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/dids", new { number = numbers[500] })).StatusCode);

        var watch = Stopwatch.StartNew();
        var r = await admin.PostAsJsonAsync("/api/dids", new { range = new { from = numbers[0], to = numbers[^1] }, resellerId = rid, monthlyFee = 12.34m });
        watch.Stop();
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var body = await r.JsonAsync();
        output.WriteLine($"POST /api/dids com 1000 números: {watch.ElapsedMilliseconds} ms");
        Assert.Equal(999, body.GetProperty("created").GetInt32());
        Assert.Equal([numbers[500]], body.GetProperty("duplicates").EnumerateArray().Select(d => d.GetString()!));

        Assert.Equal(1000, await Scalar("SELECT count(*) FROM dids WHERE number = ANY(@n)", numbers));
        Assert.Equal(999, await Scalar("SELECT count(*) FROM dids WHERE number = ANY(@n) AND reseller_id IS NOT NULL AND monthly_fee = 12.34", numbers));
        Assert.Equal(1000, await Scalar("SELECT count(*) FROM audit_log WHERE entity = 'did' AND action = 'create' AND entity_id = ANY(@n)", numbers));

        var seen = await early.Get();
        Assert.NotNull(seen);
        Assert.Equal(rid, seen.ResellerId);
        Assert.Equal(12.34m, seen.MonthlyFee);
        var other = await cluster.Grains.Did(numbers[999]).Get();
        Assert.Equal(12.34m, other!.MonthlyFee);

        // the owner goes on changing its row: assign, then the list (read model) shows it in service
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        var assign = await admin.PostAsJsonAsync($"/api/dids/{Uri.EscapeDataString(numbers[7])}/assign", new { account });
        Assert.True(assign.IsSuccessStatusCode, await assign.Content.ReadAsStringAsync());
        var listed = await (await admin.GetAsync($"/api/dids?account={account}")).JsonAsync();
        Assert.Equal(numbers[7], listed.GetProperty("items")[0].GetProperty("number").GetString());
    }
}
