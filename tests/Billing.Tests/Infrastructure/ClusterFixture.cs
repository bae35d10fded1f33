using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Billing.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>
/// One real cluster per test run: a fresh PostgreSQL database with the migrations applied, an
/// in-process silo wired like production, and the API (WebApplicationFactory) as its Orleans client.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public string Database { get; private set; } = "";
    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];
    public string AdminKey { get; } = "admin-" + Guid.NewGuid().ToString("N");
    public string SwitchKey { get; } = "switch-" + Guid.NewGuid().ToString("N");
    public InProcessSilo Silo { get; private set; } = null!;
    public WebApplicationFactory<Program> Api { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public IGrainFactory Grains => Silo.Grains;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("billing_test");
        Db = NpgsqlDataSource.Create(Database);
        Silo = await InProcessSilo.StartAsync(Database, ClusterId, "silo-test");
        Api = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("BILLING_DB", Database);
            b.UseSetting("BILLING_CLUSTER_ID", ClusterId);
            b.UseSetting("BILLING_ADMIN_KEY", AdminKey);
            b.UseSetting("BILLING_SWITCH_KEY", SwitchKey);
            b.UseEnvironment("Testing");
            b.ConfigureServices(ConfigureApiServices);
        });
        // first request starts the API host and its Orleans client
        using var client = Api.CreateClient();
        (await client.GetAsync("/health/live")).EnsureSuccessStatusCode();
    }

    private static void ConfigureApiServices(IServiceCollection services)
    {
    }

    public HttpClient Anonymous() => Api.CreateClient();

    public HttpClient AsAdmin() => WithKey(AdminKey);

    public HttpClient AsSwitch() => WithKey(SwitchKey);

    public HttpClient WithKey(string key)
    {
        var c = Api.CreateClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Silo.DisposeAsync();
        await Db.DisposeAsync();
        await TestDatabase.DropAsync(Database);
    }
}
