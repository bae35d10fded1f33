using System.Net;
using System.Net.Http.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Resellers;

[Collection(ClusterCollection.Name)]
public sealed class ResellersApiTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenAResellerIsCreatedUpdatedAndDeleted_ThenEachStepIsVisible()
    {
        var admin = cluster.AsAdmin();
        var id = await ResellerSeed.ResellerAsync(admin, "Revenda Ciclo " + Guid.NewGuid().ToString("N")[..6], 12.5m, 0.08m);
        var got = await (await admin.GetAsync($"/api/resellers/{id}")).JsonAsync();
        Assert.Equal(12.5m, got.GetProperty("didMonthlyFee").GetDecimal());
        Assert.Equal(0.08m, got.GetProperty("completionPricePerMinute").GetDecimal());
        Assert.Equal("PJ", got.GetProperty("tipoPessoa").GetString());
        Assert.Equal(1, got.GetProperty("contatos").GetArrayLength());

        var put = await admin.PutAsJsonAsync($"/api/resellers/{id}", new
        {
            nome = "Revenda Renomeada", documento = Docs.Cpf(), didMonthlyFee = 9.9m, completionPricePerMinute = 0.05m,
            contatos = new[] { new { nome = "Bia" }, new { nome = "Caio" } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var updated = await put.JsonAsync();
        Assert.Equal("PF", updated.GetProperty("tipoPessoa").GetString());
        Assert.Equal(2, updated.GetProperty("contatos").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/resellers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/resellers/{id}")).StatusCode);
    }

    [Fact]
    public async Task WhenTheDocumentIsInvalidOrTaken_ThenTheApiAnswers400Or409()
    {
        var admin = cluster.AsAdmin();
        var bad = await admin.PostAsJsonAsync("/api/resellers", new { nome = "X", documento = "123.456.789-00" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("documento", out _));

        var doc = Docs.Cnpj();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/resellers", new { nome = "A", documento = doc })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/resellers", new { nome = "B", documento = doc })).StatusCode);
    }

    [Fact]
    public async Task WhenResellersAreSearchedAndPaged_ThenTheListReadsTheReadModel()
    {
        var admin = cluster.AsAdmin();
        var tag = "Pag" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++) await ResellerSeed.ResellerAsync(admin, $"{tag} {i}");
        var page1 = await (await admin.GetAsync($"/api/resellers?search={tag}&pageSize=2&page=1")).JsonAsync();
        Assert.Equal(3, page1.GetProperty("total").GetInt64());
        Assert.Equal(2, page1.GetProperty("totalPages").GetInt64());
        Assert.Equal(2, page1.GetProperty("items").GetArrayLength());
        var page2 = await (await admin.GetAsync($"/api/resellers?search={tag.ToLowerInvariant()}&pageSize=2&page=2")).JsonAsync();
        Assert.Equal(1, page2.GetProperty("items").GetArrayLength());
        Assert.Equal(tag + " 2", page2.GetProperty("items")[0].GetProperty("nome").GetString());
    }

    [Fact]
    public async Task WhenACustomerIsLinkedToAReseller_ThenItAndItsCircuitsAreListedUnderIt()
    {
        var admin = cluster.AsAdmin();
        var rid = await ResellerSeed.ResellerAsync(admin);
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync($"/api/resellers/{rid}/customers", new { customerId = customer })).StatusCode);
        var list = await (await admin.GetAsync($"/api/resellers/{rid}/customers")).JsonAsync();
        Assert.Equal(customer, list[0].GetProperty("id").GetInt64());
        Assert.Equal(account, list[0].GetProperty("circuits")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/resellers/{rid}/customers/{customer}")).StatusCode);
        Assert.Equal(0, (await (await admin.GetAsync($"/api/resellers/{rid}/customers")).JsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task WhenDidsAreCreatedAsListAndRange_ThenDuplicatesAreReportedAndTheListFilters()
    {
        var admin = cluster.AsAdmin();
        var rid = await ResellerSeed.ResellerAsync(admin);
        var baseNum = ResellerSeed.NewDid()[..^1];
        var range = await admin.PostAsJsonAsync("/api/dids", new { range = new { from = baseNum + "0", to = baseNum + "4" }, resellerId = rid });
        Assert.Equal(HttpStatusCode.Created, range.StatusCode);
        Assert.Equal(5, (await range.JsonAsync()).GetProperty("created").GetInt32());
        var list = await admin.PostAsJsonAsync("/api/dids", new { numbers = new[] { baseNum + "4", baseNum + "5" }, resellerId = rid });
        var listed = await list.JsonAsync();
        Assert.Equal(1, listed.GetProperty("created").GetInt32());
        Assert.Equal(baseNum + "4", listed.GetProperty("duplicates")[0].GetString());
        var bad = await admin.PostAsJsonAsync("/api/dids", new { numbers = new[] { "abc" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var page = await (await admin.GetAsync($"/api/dids?resellerId={rid}&pageSize=4")).JsonAsync();
        Assert.Equal(6, page.GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("totalPages").GetInt64());
        var search = await (await admin.GetAsync($"/api/dids?search={baseNum[^6..]}5&resellerId={rid}")).JsonAsync();
        Assert.Equal(1, search.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task WhenADidIsAssignedAndReleased_ThenTheHistoryKeepsTheAssignment()
    {
        var admin = cluster.AsAdmin();
        var rid = await ResellerSeed.ResellerAsync(admin);
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        var did = await ResellerSeed.DidAsync(admin, rid, account);
        var byAccount = await (await admin.GetAsync($"/api/dids?account={account}")).JsonAsync();
        Assert.True(byAccount.GetProperty("items")[0].GetProperty("active").GetBoolean());
        var again = await admin.PostAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/assign", new { account });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/dids/{Uri.EscapeDataString(did)}/release", null)).StatusCode);
        var history = await (await admin.GetAsync($"/api/dids/{Uri.EscapeDataString(did)}/history")).JsonAsync();
        var first = history.GetProperty("assignments")[0];
        Assert.Equal(account, first.GetProperty("account").GetString());
        Assert.Equal(JsonValueKindString, first.GetProperty("activeTo").ValueKind);
        Assert.Equal(10m, first.GetProperty("monthlyFee").GetDecimal()); // the reseller's default fee
        Assert.Equal(0, (await (await admin.GetAsync($"/api/dids?account={account}")).JsonAsync()).GetProperty("total").GetInt64());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;
}
