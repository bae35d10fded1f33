using System.Globalization;
using Billing.Api.Hosting;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// The API on a real Kestrel port (a browser needs HTTP) against the <see cref="ClusterFixture"/>'s database and
/// cluster, with a first admin from configuration, plus one headless Debian Chromium driven by Playwright.
/// Started once per cluster fixture (xunit 2 fixtures cannot depend on each other) and shared by the admin tests.
/// </summary>
public sealed class AdminWebServer : IAsyncDisposable
{
    public const string User = "admin.teste";
    public const string Password = "Senha-forte-2026";


    private WebApplication _app = null!;
    private IPlaywright _playwright = null!;
    private IBrowser? _browser;

    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => _app.Services;

    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static Task<AdminWebServer> ForAsync(ClusterFixture cluster) => PerCluster<AdminWebServer>.GetAsync(cluster, StartAsync);

    private static async Task<AdminWebServer> StartAsync(ClusterFixture cluster)
    {
        var (app, baseUrl) = await KestrelApi.StartAsync(cluster, new Dictionary<string, string?>
        {
            ["BILLING_ADMIN_USER"] = User,
            ["BILLING_ADMIN_PASSWORD"] = Password,
        });
        var server = new AdminWebServer { _app = app, BaseUrl = baseUrl };

        // the first admin is created by a background service at start
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM admin_users WHERE username = @u");
            cmd.Parameters.AddWithValue("u", User);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("O primeiro administrador não foi criado.");
            await Task.Delay(100);
        }
        server._playwright = await Playwright.CreateAsync();
        return server;
    }

    public async Task<IBrowser> BrowserAsync()
    {
        return _browser ??= await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context (own cookies) with a phone-or-desktop viewport.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var browser = await BrowserAsync();
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = BaseUrl,
            Locale = "pt-BR",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public async Task<IPage> LoggedInPageAsync(bool phone = false)
    {
        var page = await NewPageAsync(phone);
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#usuario", User);
        await page.FillAsync("#senha", Password);
        await page.ClickAsync("#entrar");
        await page.WaitForURLAsync("**/admin/clientes");
        return page;
    }

    /// <summary>Saves a full-page screenshot under the test output and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDir);
        var path = Path.Combine(ScreenshotDir, "admin-" + name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Console.WriteLine("screenshot: " + path);
        return path;
    }

    public HttpClient Http(bool redirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = redirects, UseCookies = true, CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = new Uri(BaseUrl),
        };

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
