using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Registration;

/// <summary>
/// A customer ("cliente"), key <c>cus:&lt;id&gt;</c> where the id is a <c>long</c> taken from the
/// PostgreSQL sequence <c>customers_id_seq</c> (see <see cref="CustomerKeys"/>).
/// Holds the registration and the contacts and keeps the read-model tables <c>customers</c> and
/// <c>audit_log</c> current: every command validates again, writes the read model and the audit entry
/// in one transaction and persists the grain state before committing it.
/// <paramref name="actor"/> on every command is who asks (API key or user name), recorded in the audit log.
/// </summary>
[Alias("Billing.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>Registers the customer. Conflict when the id is taken or the CPF/CNPJ belongs to another customer.</summary>
    [Alias("Create")]
    Task<CommandResult<CustomerView>> Create(CustomerData data, string actor);

    /// <summary>Replaces the registration (all fields). NotFound when absent or deleted.</summary>
    [Alias("Update")]
    Task<CommandResult<CustomerView>> Update(CustomerData data, string actor);

    /// <summary>Soft-deletes the customer (history kept). Conflict while circuits are still linked to it.</summary>
    [Alias("Delete")]
    Task<CommandResult<CustomerView>> Delete(string actor);

    /// <summary>The customer, or null when it does not exist or was deleted.</summary>
    [Alias("Get")]
    Task<CustomerView?> Get();

    [Alias("AddContact")]
    Task<CommandResult<Contact>> AddContact(ContactData data, string actor);

    [Alias("UpdateContact")]
    Task<CommandResult<Contact>> UpdateContact(long contactId, ContactData data, string actor);

    [Alias("RemoveContact")]
    Task<CommandResult<Contact>> RemoveContact(long contactId, string actor);

    /// <summary>
    /// Links the customer (and so all its circuits) to a reseller, or unlinks it (null). With
    /// <paramref name="onlyFromReseller"/> the change happens only while the customer belongs to that reseller (NotFound
    /// otherwise). NotFound when the customer does not exist or was deleted. Audited as action <c>reseller</c>.
    /// </summary>
    [Alias("SetReseller")]
    Task<CommandResult> SetReseller(long? resellerId, long? onlyFromReseller, string actor);
}

public static class CustomerKeys
{
    public const string Prefix = "cus:";

    public static string For(long id) => Prefix + id.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string key, out long id)
    {
        id = 0;
        return key is not null && key.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out id)
            && id > 0;
    }

    public static ICustomerGrain Customer(this IGrainFactory grains, long id)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ICustomerGrain>(For(id));
    }
}
