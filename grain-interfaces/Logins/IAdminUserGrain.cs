namespace Billing.GrainInterfaces.Logins;

/// <summary>
/// One web admin, key <c>adm:&lt;normalized user name&gt;</c> (<see cref="AdminUserKeys"/>): owner of its
/// <c>admin_users</c> row. Passwords arrive only as PBKDF2 hashes (<see cref="Circuits.WebPassword"/>); the API host
/// verifies them. One activation per user serializes that user's writes (a password change is compare-and-set on
/// the hash it was checked against). The lockout of failed logins is the login guard <c>login:admin:&lt;name&gt;</c>.
/// </summary>
[Alias("Billing.IAdminUserGrain")]
public interface IAdminUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the user unless the name is taken; with <paramref name="onlyIfNoAdmin"/> only while no admin exists at
    /// all (the first admin from configuration). True when created.
    /// </summary>
    [Alias("Create")]
    Task<bool> Create(string nome, string passwordHash, string actor, bool onlyIfNoAdmin);

    /// <summary>Stamps a successful login.</summary>
    [Alias("RecordLogin")]
    Task RecordLogin();

    /// <summary>Replaces the password hash while it is still <paramref name="currentHash"/> (and the user enabled); false otherwise.</summary>
    [Alias("ChangePasswordHash")]
    Task<bool> ChangePasswordHash(string currentHash, string newHash);
}

public static class AdminUserKeys
{
    public const string Prefix = "adm:";

    /// <summary>The grain of an admin by its normalized (trimmed, lower-case) user name.</summary>
    public static IAdminUserGrain AdminUser(this IGrainFactory grains, string normalizedName)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IAdminUserGrain>(Prefix + normalizedName);
    }
}
