using System.Diagnostics;
using System.Diagnostics.Metrics;
using Billing.GrainInterfaces.Circuits;

namespace Billing.Api.Infrastructure;

/// <summary>
/// The softswitch hot path as seen by this API process (meter <see cref="MeterName"/>): calls authorized,
/// refused by reason, completed by outcome, and authorize/complete latency in seconds. Exported at
/// <c>/metrics</c> as <c>billing_calls_*</c>.
/// </summary>
public sealed class CallMetrics
{
    public const string MeterName = "Billing.Calls";

    // latency buckets for a sub-millisecond-to-seconds hot path (seconds)
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _authorized;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _authorizeSeconds;
    private readonly Histogram<double> _completeSeconds;

    // One meter for the process, never disposed. A meter from IMeterFactory dies with its host, and the
    // OpenTelemetry exporter merges instruments of the same name from every host of the process: when a second
    // API host in the same process (tests) was disposed, its instruments' completion removed the shared metric
    // streams and the first host's /metrics lost every billing_calls_* series.
    private static readonly Meter Meter = new(MeterName);

    public CallMetrics()
    {
        var meter = Meter;
        _authorized = meter.CreateCounter<long>("billing.calls.authorized", "{call}", "Calls allowed by authorize");
        _refused = meter.CreateCounter<long>("billing.calls.refused", "{call}", "Calls refused by authorize, by reason");
        _completed = meter.CreateCounter<long>("billing.calls.completed", "{call}", "Completes (CDRs) by outcome and source");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        _authorizeSeconds = meter.CreateHistogram("billing.calls.authorize.duration", "s", "Authorize latency inside the API", tags: null, advice);
        _completeSeconds = meter.CreateHistogram("billing.calls.complete.duration", "s", "Complete latency inside the API (ledger write included)", tags: null, advice);
    }

    public void Authorized(string? callType) =>
        _authorized.Add(1, new KeyValuePair<string, object?>("call_type", callType ?? "desconhecido"));

    public void Refused(string? reason) =>
        _refused.Add(1, new KeyValuePair<string, object?>("reason", reason ?? "desconhecido"));

    public void Completed(CompleteStatus status, string source = "api") =>
        _completed.Add(1, new KeyValuePair<string, object?>("outcome", Outcome(status)), new KeyValuePair<string, object?>("source", source));

    public static string Outcome(CompleteStatus status) => status switch
    {
        CompleteStatus.Rated => "rated",
        CompleteStatus.Duplicate => "duplicate",
        CompleteStatus.UnknownCircuit => "unknown_circuit",
        CompleteStatus.UnknownCall => "unknown_call",
        CompleteStatus.Conflict => "conflict",
        _ => "invalid",
    };

    public void AuthorizeTook(long startTimestamp) => _authorizeSeconds.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    public void CompleteTook(long startTimestamp) => _completeSeconds.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
}
