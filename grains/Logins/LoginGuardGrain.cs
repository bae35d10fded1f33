using Billing.GrainInterfaces.Logins;

namespace Billing.Grains.Logins;

/// <summary>
/// One login name or client address (<see cref="LoginKeys"/>): one activation in the cluster, so every API host
/// counts the same attempts; not reentrant, so a burst of parallel attempts is serialized here. No password is
/// ever seen here. In memory only: the activation is kept alive while it has something to remember.
/// </summary>
public sealed class LoginGuardGrain(TimeProvider clock) : Grain, ILoginGuardGrain
{
    private LoginAttempts _attempts = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _attempts = new LoginAttempts(LoginKeys.LimitOf(key), clearOnSuccess: !LoginKeys.IsAddress(key));
        return Task.CompletedTask;
    }

    public Task<LoginTicket> TryBegin()
    {
        var ticket = _attempts.TryBegin(clock.GetUtcNow());
        if (ticket.Granted) DelayDeactivation(LoginKeys.AttemptTimeout);
        return Task.FromResult(ticket);
    }

    public Task<bool> End(Guid ticket, bool succeeded)
    {
        var now = clock.GetUtcNow();
        var locked = _attempts.End(ticket, succeeded, now);
        if (!_attempts.IsEmpty(now)) DelayDeactivation(LoginKeys.Window);
        return Task.FromResult(locked);
    }

    public Task Release(Guid ticket)
    {
        _attempts.Release(ticket);
        return Task.CompletedTask;
    }

    public Task<LoginGuardView> Get() => Task.FromResult(_attempts.View(clock.GetUtcNow()));
}
