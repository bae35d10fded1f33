using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Registration;

namespace Billing.Api.Application;

/// <summary>
/// The customer registry's commands, shared by <c>/api/customers</c> and the admin pages: validates first (the
/// grain validates again), then one grain call. Answers <see cref="CommandResult{T}"/>; the REST handler maps it to
/// HTTP (<see cref="Apis.CommandResults"/>), a page to field errors (<see cref="Web.AdminPageModel"/>).
/// </summary>
public sealed class CustomerService(IClusterClient grains)
{
    public Task<CustomerView?> Get(long id) => grains.Customer(id).Get();

    public async Task<CommandResult<CustomerView>> Create(CustomerData input, string actor)
    {
        var errors = CustomerRules.Validate(input, out var data);
        if (errors.Count > 0) return FieldError.Invalid<CustomerView>(errors);
        var id = await grains.NextId(IdSequences.Customers);
        return await grains.Customer(id).Create(data, actor);
    }

    public async Task<CommandResult<CustomerView>> Update(long id, CustomerData input, string actor)
    {
        var errors = CustomerRules.Validate(input, out var data);
        return errors.Count > 0 ? FieldError.Invalid<CustomerView>(errors) : await grains.Customer(id).Update(data, actor);
    }

    public Task<CommandResult<CustomerView>> Delete(long id, string actor) => grains.Customer(id).Delete(actor);

    /// <summary>Adds a contact, or updates it when <paramref name="contactId"/> is given.</summary>
    public async Task<CommandResult<Contact>> SaveContact(long id, long? contactId, ContactData input, string actor)
    {
        var errors = CustomerRules.Validate(input, out var data);
        if (errors.Count > 0) return FieldError.Invalid<Contact>(errors);
        return contactId is { } cid
            ? await grains.Customer(id).UpdateContact(cid, data, actor)
            : await grains.Customer(id).AddContact(data, actor);
    }

    public Task<CommandResult<Contact>> RemoveContact(long id, long contactId, string actor) =>
        grains.Customer(id).RemoveContact(contactId, actor);
}
