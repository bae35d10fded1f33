using Billing.GrainInterfaces.Circuits;

namespace Billing.Tests.Infrastructure;

public static class WebPasswordChecks
{
    /// <summary>Would the portal accept this Senha Web (checked like the portal does: hash from the grain, PBKDF2 here)?</summary>
    public static async Task<bool> AcceptsWebPasswordAsync(this ICircuitGrain grain, string password)
    {
        ArgumentNullException.ThrowIfNull(grain);
        return await grain.GetWebLogin() is { } login && WebPassword.Verify(password, login.PasswordHash);
    }
}
