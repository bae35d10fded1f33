using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Billing.Api.Hosting;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Billing.Tests.Portal;

/// <summary>
/// The API on real Kestrel (free loopback port) against the shared ClusterFixture's database and cluster, plus
/// Debian's Chromium driven by Playwright. Started on first use (it needs the collection's ClusterFixture).
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _api;
    private IPlaywright? _playwright;

    public const string Mensagem = "Manutenção programada no domingo, das 2h às 4h.";

    /// <summary>The payment provider's webhook secret of this host (<c>Billing:Payments:WebhookSecret</c>).</summary>
    public const string WebhookSecret = "segredo-do-provedor-de-pagamentos-de-teste";
    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task<PortalFixture> StartAsync(ClusterFixture cluster)
    {
        await _gate.WaitAsync();
        try
        {
            if (_api is not null) return this;
            var (api, baseUrl) = await KestrelApi.StartAsync(cluster, new Dictionary<string, string?>
            {
                ["Billing:Portal:Mensagem"] = Mensagem,
                ["Billing:Payments:WebhookSecret"] = WebhookSecret,
            });
            _api = api;
            BaseUrl = baseUrl;
            using (var http = new HttpClient { BaseAddress = new Uri(BaseUrl) })
                (await http.GetAsync("/health/live")).EnsureSuccessStatusCode();

            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
            Directory.CreateDirectory(ScreenshotDir);
            return this;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts the portal if needed and logs <paramref name="c"/> in, in a fresh browser context.</summary>
    public async Task<IPage> LoginAsync(ClusterFixture cluster, PortalCircuit c, bool phone = false)
    {
        ArgumentNullException.ThrowIfNull(c);
        await StartAsync(cluster);
        var page = await NewPageAsync(phone);
        await page.GotoAsync("/portal/login");
        await page.FillAsync("#circuito", c.Account);
        await page.FillAsync("#senha", c.Password);
        await page.ClickAsync("#entrar");
        await page.WaitForURLAsync("**/portal");
        return page;
    }

    /// <summary>A fresh browser context (own cookies) with a phone-sized or desktop viewport.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = BaseUrl,
            AcceptDownloads = true,
            Locale = "pt-BR",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1200, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = Path.Combine(ScreenshotDir, "portal-" + name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Console.WriteLine("screenshot: " + path);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_api is not null)
        {
            await _api.StopAsync();
            await _api.DisposeAsync();
        }
        _gate.Dispose();
    }
}
