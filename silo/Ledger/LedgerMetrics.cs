using System.Diagnostics.Metrics;

namespace Billing.Silo.Ledger;

/// <summary>Ledger batch size and latency (OpenTelemetry-compatible System.Diagnostics.Metrics).</summary>
public sealed class LedgerMetrics : IDisposable
{
    public const string MeterName = "Billing.Ledger";
    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _batchMs;
    private readonly Histogram<int> _holdBatchSize;
    private readonly Histogram<double> _holdBatchMs;

    public LedgerMetrics()
    {
        _batchSize = _meter.CreateHistogram<int>("billing.ledger.batch.size", "{rows}", "Rows per ledger group commit");
        _batchMs = _meter.CreateHistogram<double>("billing.ledger.batch.duration", "ms", "Ledger group commit latency");
        _holdBatchSize = _meter.CreateHistogram<int>("billing.ledger.holds.batch.size", "{holds}", "Credit holds written or released per group commit");
        _holdBatchMs = _meter.CreateHistogram<double>("billing.ledger.holds.batch.duration", "ms", "Credit hold group commit latency");
    }

    public void RecordHoldBatch(int holds, TimeSpan elapsed)
    {
        _holdBatchSize.Record(holds);
        _holdBatchMs.Record(elapsed.TotalMilliseconds);
    }

    public void RecordBatch(int rows, TimeSpan elapsed)
    {
        _batchSize.Record(rows);
        _batchMs.Record(elapsed.TotalMilliseconds);
    }

    public void Dispose() => _meter.Dispose();
}
