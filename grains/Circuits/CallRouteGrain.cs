using Billing.GrainInterfaces.Circuits;

namespace Billing.Grains.Circuits;

/// <summary>In-memory call id → account map for extend/complete (the complete body may also carry the account).</summary>
public sealed class CallRouteGrain : Grain, ICallRouteGrain
{
    private string? _account;

    public Task Bind(string account)
    {
        _account = account;
        DelayDeactivation(TimeSpan.FromHours(2));
        return Task.CompletedTask;
    }

    public Task<string?> GetAccount() => Task.FromResult(_account);
}
