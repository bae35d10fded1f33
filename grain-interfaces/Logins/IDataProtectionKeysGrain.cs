namespace Billing.GrainInterfaces.Logins;

/// <summary>A stored ASP.NET Data Protection key: its friendly name and XML element as text.</summary>
[GenerateSerializer, Immutable, Alias("Billing.DataProtectionKey")]
public sealed record DataProtectionKey([property: Id(0)] string FriendlyName, [property: Id(1)] string Xml);

/// <summary>
/// The key ring of ASP.NET Data Protection shared by every API host (key <see cref="Key"/>): cookies and antiforgery
/// tokens issued by one host are read by the others. Owner of the table <c>data_protection_keys</c>; keys are only
/// ever added (Data Protection revokes by adding a revocation element), an add of a known name is ignored.
/// </summary>
[Alias("Billing.IDataProtectionKeysGrain")]
public interface IDataProtectionKeysGrain : IGrainWithStringKey
{
    public const string Key = "dpkeys:billing-api";

    [Alias("GetAll")]
    Task<IReadOnlyList<DataProtectionKey>> GetAll();

    [Alias("Add")]
    Task Add(DataProtectionKey key);
}
