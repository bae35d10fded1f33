using Billing.GrainInterfaces.PendingBilling;
using Billing.Grains.Documents;
using Orleans.Concurrency;

namespace Billing.Grains.PendingBilling;

[StatelessWorker]
public sealed class BillingReportGrain : Grain, IBillingReportGrain
{
    public Task<byte[]> RenderPdf(BillingReport report) => Task.FromResult(BillingReportPdf.Render(report));
}
