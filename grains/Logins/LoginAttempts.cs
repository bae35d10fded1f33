using Billing.GrainInterfaces.Logins;

namespace Billing.Grains.Logins;

/// <summary>
/// The counting rule of a login guard, pure (no Orleans, time passed in). Failures count inside a sliding
/// <see cref="LoginKeys.Window"/>; when they reach the limit the key is locked for one window and the failures are
/// cleared, so after the lock a single wrong try counts as one, not as the sixth. Attempts refused while locked
/// never count or extend the lock. A granted attempt holds a slot until it ends (or <see cref="LoginKeys.AttemptTimeout"/>).
/// </summary>
public sealed class LoginAttempts(int limit, bool clearOnSuccess)
{
    private readonly Queue<DateTimeOffset> _failures = new();
    private readonly Dictionary<Guid, DateTimeOffset> _inFlight = [];
    private DateTimeOffset? _lockedUntil;

    public LoginTicket TryBegin(DateTimeOffset now)
    {
        Trim(now);
        if (_lockedUntil is { } until) return new LoginTicket(false, Guid.Empty, until);
        if (_failures.Count + _inFlight.Count >= limit) return new LoginTicket(false, Guid.Empty, null);
        var id = Guid.NewGuid();
        _inFlight[id] = now;
        return new LoginTicket(true, id, null);
    }

    public void Release(Guid ticket) => _inFlight.Remove(ticket);

    /// <summary>Ends a granted attempt; true when the key is locked afterwards.</summary>
    public bool End(Guid ticket, bool succeeded, DateTimeOffset now)
    {
        // an attempt that timed out still counts when its failure arrives late
        var known = _inFlight.Remove(ticket);
        Trim(now);
        if (succeeded)
        {
            if (known && clearOnSuccess) _failures.Clear();
            return _lockedUntil is not null;
        }
        if (_lockedUntil is not null) return true;
        _failures.Enqueue(now);
        if (_failures.Count >= limit)
        {
            _lockedUntil = now + LoginKeys.Window;
            _failures.Clear();
        }
        return _lockedUntil is not null;
    }

    public LoginGuardView View(DateTimeOffset now)
    {
        Trim(now);
        return new LoginGuardView(_failures.Count, _inFlight.Count, _lockedUntil);
    }

    /// <summary>True when nothing is left to remember (the grain may go away).</summary>
    public bool IsEmpty(DateTimeOffset now)
    {
        Trim(now);
        return _failures.Count == 0 && _inFlight.Count == 0 && _lockedUntil is null;
    }

    private void Trim(DateTimeOffset now)
    {
        if (_lockedUntil <= now) _lockedUntil = null;
        var oldest = now - LoginKeys.Window;
        while (_failures.Count > 0 && _failures.Peek() <= oldest) _failures.Dequeue();
        if (_inFlight.Count == 0) return;
        var stale = now - LoginKeys.AttemptTimeout;
        foreach (var (id, at) in _inFlight.Where(kv => kv.Value <= stale).ToList()) _inFlight.Remove(id);
    }
}
