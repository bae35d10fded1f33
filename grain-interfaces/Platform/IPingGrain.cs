namespace Billing.GrainInterfaces.Platform;

/// <summary>Stateless grain the API calls to prove the cluster answers (readiness).</summary>
[Alias("Billing.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<string> Ping();
}
