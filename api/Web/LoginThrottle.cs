using System.Collections.Concurrent;

namespace Billing.Api.Web;

/// <summary>
/// Login lockout: after <see cref="MaxFailures"/> failures inside <see cref="Window"/> for the same login
/// (a portal circuit, an admin user name — known or not), or <see cref="MaxFailuresPerAddress"/> from the same
/// client address, further attempts are refused without checking the password until the window has passed.
/// In memory, per API process (each API host counts on its own; the password hash cost still limits guessing
/// across hosts, and admin lockouts are also kept in <c>admin_users</c>).
/// </summary>
public class LoginThrottle(TimeProvider clock)
{
    public const int MaxFailures = 5;
    public const int MaxFailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    private static string AccountKey(string login) => "a:" + login;

    private static string AddressKey(string? address) => "ip:" + (address ?? "?");

    public bool IsLocked(string account, string? address) =>
        Count(AccountKey(account)) >= MaxFailures || Count(AddressKey(address)) >= MaxFailuresPerAddress;

    public void Fail(string account, string? address)
    {
        Add(AccountKey(account));
        Add(AddressKey(address));
    }

    public void Succeed(string account) => _failures.TryRemove(AccountKey(account), out _);

    private int Count(string key)
    {
        if (!_failures.TryGetValue(key, out var q)) return 0;
        lock (q)
        {
            Trim(q);
            return q.Count;
        }
    }

    private void Add(string key)
    {
        var q = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (q)
        {
            Trim(q);
            q.Enqueue(clock.GetUtcNow());
        }
        if (_failures.Count > 100_000) Sweep();
    }

    private void Trim(Queue<DateTimeOffset> q)
    {
        var limit = clock.GetUtcNow() - Window;
        while (q.Count > 0 && q.Peek() < limit) q.Dequeue();
    }

    private void Sweep()
    {
        foreach (var (key, q) in _failures)
        {
            bool empty;
            lock (q)
            {
                Trim(q);
                empty = q.Count == 0;
            }
            if (empty) _failures.TryRemove(key, out _);
        }
    }
}

/// <summary>The web admin's own counters (separate from the portal's, same rules).</summary>
public sealed class AdminLoginThrottle(TimeProvider clock) : LoginThrottle(clock);
