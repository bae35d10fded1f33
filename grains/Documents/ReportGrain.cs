using Billing.GrainInterfaces.Documents;
using Orleans.Concurrency;

namespace Billing.Grains.Documents;

/// <summary>Stateless PDF rendering for reports whose rows the API already queried and formatted.</summary>
[StatelessWorker]
public sealed class ReportGrain : Grain, IReportGrain
{
    public Task<byte[]> RenderPdf(TableDocument document) => Task.FromResult(TablePdf.Render(document));
}
