using System.Globalization;
using System.Net;
using Billing.Api.Hosting;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Billing.Tests.Logins;

/// <summary>
/// A second API host on real Kestrel against the <see cref="ClusterFixture"/>'s cluster, configured as if behind a
/// reverse proxy on loopback (<c>Billing:ForwardedHeaders:KnownProxies = 127.0.0.1</c>, so tests choose the client
/// address with <c>X-Forwarded-For</c>) and with a 1 s session recheck. Started once per cluster fixture and shared.
/// </summary>
public sealed class ProxiedApiHost : IAsyncDisposable
{

    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => _app.Services;

    public static Task<ProxiedApiHost> ForAsync(ClusterFixture cluster) => PerCluster<ProxiedApiHost>.GetAsync(cluster, StartAsync);

    private static async Task<ProxiedApiHost> StartAsync(ClusterFixture cluster)
    {
        var (app, baseUrl) = await KestrelApi.StartAsync(cluster, new Dictionary<string, string?>
        {
            ["Billing:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
            ["Billing:Sessions:RecheckSeconds"] = "1",
        });
        return new ProxiedApiHost { _app = app, BaseUrl = baseUrl };
    }

    /// <summary>A client with its own cookies, no redirects followed, that says it forwards for <paramref name="clientIp"/>.</summary>
    public HttpClient Http(string? clientIp = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(BaseUrl),
        };
        if (clientIp is not null) http.DefaultRequestHeaders.Add("X-Forwarded-For", clientIp);
        return http;
    }

    /// <summary>A documentation address (TEST-NET-3) no other test uses.</summary>
    public static string NewClientIp() =>
        string.Create(CultureInfo.InvariantCulture, $"203.0.{Random.Shared.Next(114, 250)}.{Random.Shared.Next(1, 254)}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
