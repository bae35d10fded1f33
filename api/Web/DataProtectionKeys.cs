using System.Xml.Linq;
using Billing.GrainInterfaces.Logins;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace Billing.Api.Web;

/// <summary>
/// Data Protection's key repository backed by the <see cref="IDataProtectionKeysGrain"/> (table <c>data_protection_keys</c>):
/// every API host reads and writes the same key ring, so the admin and portal cookies and the antiforgery tokens work
/// whichever replica answers. Data Protection reads the ring at start and then about once a day (it caches it), so the
/// synchronous wait on the grain is rare.
/// </summary>
public sealed class GrainXmlRepository(IClusterClient cluster) : IXmlRepository
{
    private IDataProtectionKeysGrain Grain => cluster.GetGrain<IDataProtectionKeysGrain>(IDataProtectionKeysGrain.Key);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. Grain.GetAll().GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        Grain.Add(new DataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting))).GetAwaiter().GetResult();
    }
}

public static class DataProtectionSetup
{
    /// <summary>The application name every API host shares (the default is the content root path, which differs between hosts).</summary>
    public const string ApplicationName = "billing-api";

    public static IServiceCollection AddBillingDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(
            o => o.XmlRepository = new GrainXmlRepository(sp.GetRequiredService<IClusterClient>())));
        return services;
    }
}
