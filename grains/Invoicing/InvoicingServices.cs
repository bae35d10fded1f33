using Billing.GrainInterfaces.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Grains.Invoicing;

public static class InvoicingServices
{
    /// <summary>Invoices store and options (<c>Billing:Invoices</c>), and the e-mail outbox sender (<c>Billing:Smtp</c>).</summary>
    public static IServiceCollection AddInvoicing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<InvoiceStore>();
        services.AddSingleton<CreditNoteStore>();
        services.AddValidatedOptions<InvoiceOptions>("Billing:Invoices");
        services.AddValidatedOptions<SmtpOptions>("Billing:Smtp");
        services.AddHostedService<OutboxSender>();
        // billing webhooks (issue 9): signed deliveries from the webhook outbox (section Billing:Webhooks)
        services.AddValidatedOptions<PendingBilling.WebhookOptions>("Billing:Webhooks");
        services.AddHostedService<PendingBilling.WebhookSender>();
        return services;
    }
}
