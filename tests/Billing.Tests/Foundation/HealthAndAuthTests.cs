using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Foundation;

[Collection(ClusterCollection.Name)]
public sealed class HealthAndAuthTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenLiveIsAsked_ThenItAnswersWithoutKey()
    {
        using var http = cluster.Anonymous();
        var r = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task WhenReadyIsAsked_ThenDatabaseAndClusterAreHealthy()
    {
        using var http = cluster.Anonymous();
        var r = await http.GetAsync("/health/ready");
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
    }

    [Fact]
    public async Task WhenNoKeyIsSent_Then401ProblemInPortuguese()
    {
        using var http = cluster.Anonymous();
        var r = await http.GetAsync("/api/system/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var pd = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Não autenticado", pd.GetProperty("title").GetString());
        Assert.Equal(401, pd.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task WhenAWrongKeyIsSent_Then401()
    {
        using var http = cluster.WithKey("not-the-key");
        var r = await http.GetAsync("/api/system/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
    }

    [Fact]
    public async Task WhenTheAdminKeyIsSent_Then200WithTheAdminRole()
    {
        using var http = cluster.AsAdmin();
        var r = await http.GetAsync("/api/system/whoami");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("admin", body.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task WhenTheSwitchKeyCallsAnAdminEndpoint_Then403()
    {
        using var http = cluster.AsSwitch();
        var r = await http.GetAsync("/api/system/ping");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        var pd = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Acesso negado", pd.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WhenAnUnknownRouteIsAsked_Then404ProblemInPortuguese()
    {
        using var http = cluster.AsAdmin();
        var r = await http.GetAsync("/api/nao-existe");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        var pd = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Não encontrado", pd.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WhenOpenApiIsAsked_ThenItIsValidJsonWithPaths()
    {
        using var http = cluster.Anonymous();
        var r = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("paths").EnumerateObject().Any());
        var scalar = await http.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
    }
}
