using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.Portal;

namespace Billing.Api.Application;

/// <summary>
/// The portal's commands and grain reads (issue 18, seed 001), shared by the portal pages and the admin's Respostas page:
/// which circuits a logged-in circuit may see (its customer's), the partial invoice of the open period, and "Resposta".
/// </summary>
public sealed class PortalService(IClusterClient grains)
{
    /// <summary>
    /// The circuit <paramref name="account"/> when it belongs to <paramref name="customerId"/> now (read from the circuit
    /// grain, the owner of the registration); null otherwise (another customer's, unknown, malformed).
    /// </summary>
    public async Task<CircuitView?> CircuitOfCustomer(string? account, long customerId)
    {
        if (account is null || !CircuitKeys.IsValidAccount(account)) return null;
        var view = await grains.Circuit(account).Get();
        return view is not null && view.Data.CustomerId == customerId ? view : null;
    }

    /// <summary>The PDF of the circuit's open period as it stands now, marked "PARCIAL — fatura em aberto"; writes nothing.</summary>
    public Task<InvoiceDocument?> OpenInvoicePdf(string account) => grains.InvoiceScheduler(account).RenderOpen();

    /// <summary>A "Resposta" from the portal: validated here and by the grain; the same request key stores it once.</summary>
    public async Task<CommandResult<PortalReply>> SendReply(string account, long customerId, string? subject, string? body, string? requestKey)
    {
        var errors = PortalReplies.Validate(subject, body, requestKey);
        if (errors.Count > 0) return CommandResult<PortalReply>.Invalid(errors);
        return await grains.PortalReply(account).Send(customerId, subject!, body!, requestKey!);
    }

    /// <summary>The operator marks a reply read (admin page).</summary>
    public async Task<CommandResult<PortalReply>> MarkReplyRead(string? account, long id, string actor)
    {
        if (account is null || !CircuitKeys.IsValidAccount(account)) return CommandResult<PortalReply>.Invalid("conta", "Número de circuito inválido.");
        return await grains.PortalReply(account).MarkRead(id, actor);
    }
}
