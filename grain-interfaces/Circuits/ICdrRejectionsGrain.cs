namespace Billing.GrainInterfaces.Circuits;

/// <summary>One refused line of a CDR import, kept for the operator (<c>raw</c> already printable and capped by the caller).</summary>
[GenerateSerializer, Immutable, Alias("Billing.CdrRejectedLine")]
public sealed record CdrRejectedLine(
    [property: Id(0)] int Line,
    [property: Id(1)] string Field,
    [property: Id(2)] string Reason,
    [property: Id(3)] string Raw);

/// <summary>Owner of <c>cdr_rejected</c>: records the refused lines of one import in one round trip (key <see cref="Key"/>).</summary>
[Alias("Billing.ICdrRejectionsGrain")]
public interface ICdrRejectionsGrain : IGrainWithStringKey
{
    public const string Key = "cdr-rejected";

    [Alias("Record")]
    Task Record(IReadOnlyList<CdrRejectedLine> lines);
}
