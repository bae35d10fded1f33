using System.Globalization;
using Billing.Api.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Billing.Tests.Infrastructure;

/// <summary>
/// An API host on real Kestrel (a free loopback port) over the <see cref="ClusterFixture"/>'s cluster, wired like
/// production (<c>AddBillingApi</c>/<c>UseBillingApi</c>), for tests that need a browser, real cookies or a second
/// host. <paramref name="settings"/> add to (or override) the cluster's connection settings.
/// </summary>
public static class KestrelApi
{
    public static async Task<(WebApplication App, string BaseUrl)> StartAsync(ClusterFixture cluster, IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(settings);
        var port = Ports.Free();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // Razor Pages are discovered in the application assembly: the API's, not the test host's
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var config = new Dictionary<string, string?>
        {
            ["BILLING_DB"] = cluster.Database,
            ["BILLING_CLUSTER_ID"] = cluster.ClusterId,
            ["BILLING_ADMIN_KEY"] = cluster.AdminKey,
            ["BILLING_SWITCH_KEY"] = cluster.SwitchKey,
        };
        foreach (var (key, value) in settings) config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        var baseUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        builder.WebHost.UseUrls(baseUrl);
        builder.AddBillingApi();
        var app = builder.Build();
        app.UseBillingApi();
        await app.StartAsync();
        return (app, baseUrl);
    }
}
