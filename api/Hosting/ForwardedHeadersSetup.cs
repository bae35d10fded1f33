using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Billing.Api.Hosting;

/// <summary>
/// Section <c>Billing:ForwardedHeaders</c>: the reverse proxies (load balancer, ingress) whose <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c> are believed. With none configured no forwarded header is trusted: the client address
/// is the TCP peer and a request is HTTPS only when it reached Kestrel over TLS.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>.</summary>
    public IReadOnlyList<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.42.0.0/16</c> (the ingress pods' network).</summary>
    public IReadOnlyList<string> KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

public static class ForwardedHeadersSetup
{
    public const string Section = "Billing:ForwardedHeaders";

    /// <summary>Reads and checks the section (a typo must not silently trust nobody or everybody: start fails).</summary>
    public static ForwardedHeadersSettings Read(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = new ForwardedHeadersSettings
        {
            KnownProxies = Values(config.GetSection(Section + ":KnownProxies")),
            KnownNetworks = Values(config.GetSection(Section + ":KnownNetworks")),
        };
        foreach (var p in settings.KnownProxies)
            if (!IPAddress.TryParse(p, out _))
                throw new InvalidOperationException($"{Section}:KnownProxies: endereço IP inválido: '{p}'.");
        foreach (var n in settings.KnownNetworks)
            if (!System.Net.IPNetwork.TryParse(n, out _))
                throw new InvalidOperationException($"{Section}:KnownNetworks: rede inválida (use CIDR, ex. 10.42.0.0/16): '{n}'.");
        return settings;
    }

    /// <summary>A list as array items (<c>KnownProxies:0</c>…) or one comma-separated value (handy in an environment variable).</summary>
    private static string[] Values(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return items.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToArray();
    }

    public static IServiceCollection AddBillingForwardedHeaders(this IServiceCollection services, ForwardedHeadersSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET's defaults trust loopback; only what is configured is trusted here
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var p in settings.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(p));
            foreach (var n in settings.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n));
            o.ForwardLimit = 1;
        });
        return services;
    }

    /// <summary>First middleware: with no proxy configured it is not added at all (empty lists would trust every peer).</summary>
    public static WebApplication UseBillingForwardedHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<ForwardedHeadersSettings>().Any) app.UseForwardedHeaders();
        return app;
    }
}
