using Billing.GrainInterfaces.Logins;
using Billing.Grains.Logins;

namespace Billing.Tests.Logins;

/// <summary>The lockout's counting rule, without a cluster (time passed in).</summary>
public sealed class LoginAttemptsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static bool Fail(LoginAttempts a, DateTimeOffset at)
    {
        var t = a.TryBegin(at);
        Assert.True(t.Granted);
        return a.End(t.Id, succeeded: false, at);
    }

    [Fact]
    public void WhenFiveFailuresHappenInsideTheWindow_ThenTheNameIsLockedForOneWindow_EvenForTheRightPassword()
    {
        var a = new LoginAttempts(LoginKeys.MaxFailures, clearOnSuccess: true);
        for (var i = 0; i < 4; i++) Assert.False(Fail(a, T0.AddMinutes(i)));
        Assert.True(Fail(a, T0.AddMinutes(4)));
        var refused = a.TryBegin(T0.AddMinutes(10));
        Assert.False(refused.Granted);
        Assert.Equal(T0.AddMinutes(4) + LoginKeys.Window, refused.LockedUntil);
        Assert.True(a.TryBegin(T0.AddMinutes(4) + LoginKeys.Window).Granted);
    }

    [Fact]
    public void WhenTheLockHasPassed_ThenOneWrongTryEveryWindowNeverLocksAgain()
    {
        var a = new LoginAttempts(LoginKeys.MaxFailures, clearOnSuccess: true);
        for (var i = 0; i < 5; i++) Fail(a, T0);
        var at = T0 + LoginKeys.Window;
        for (var round = 0; round < 10; round++, at += LoginKeys.Window)
        {
            Assert.False(Fail(a, at)); // one wrong try: counts as one, not as the sixth
            var next = a.TryBegin(at.AddMinutes(1));
            Assert.True(next.Granted);
            a.End(next.Id, succeeded: true, at.AddMinutes(1));
        }
    }

    [Fact]
    public void WhenFailuresAreOlderThanTheWindow_ThenTheyNoLongerCount()
    {
        var a = new LoginAttempts(LoginKeys.MaxFailures, clearOnSuccess: true);
        for (var i = 0; i < 4; i++) Fail(a, T0);
        Assert.Equal(4, a.View(T0).Failures);
        Assert.Equal(0, a.View(T0 + LoginKeys.Window).Failures);
        Assert.False(Fail(a, T0 + LoginKeys.Window));
    }

    [Fact]
    public void WhenAttemptsAreInFlight_ThenTheyHoldSlots_SoParallelGuessesNeverExceedTheLimit()
    {
        var a = new LoginAttempts(LoginKeys.MaxFailures, clearOnSuccess: true);
        var tickets = Enumerable.Range(0, 20).Select(_ => a.TryBegin(T0)).ToList();
        Assert.Equal(LoginKeys.MaxFailures, tickets.Count(t => t.Granted));
        // a host that never ends its attempt does not hold the slot forever
        Assert.True(a.TryBegin(T0 + LoginKeys.AttemptTimeout).Granted);
    }

    [Fact]
    public void WhenAnAddressSucceeds_ThenItsFailuresStay_ButANameIsCleared()
    {
        var address = new LoginAttempts(LoginKeys.MaxFailuresPerAddress, clearOnSuccess: false);
        var name = new LoginAttempts(LoginKeys.MaxFailures, clearOnSuccess: true);
        foreach (var a in new[] { address, name })
        {
            Fail(a, T0);
            var t = a.TryBegin(T0);
            a.End(t.Id, succeeded: true, T0);
        }
        Assert.Equal(1, address.View(T0).Failures);
        Assert.Equal(0, name.View(T0).Failures);
    }
}
