using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Logins;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Logins;

/// <summary>The admin user grain owns its admin_users row: one creation per name, password changes as compare-and-set.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminUserGrainTests(ClusterFixture cluster)
{
    private async Task<string?> StoredHash(string name)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT password_hash FROM admin_users WHERE username = @u");
        cmd.Parameters.AddWithValue("u", name);
        return await cmd.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task WhenTwoPasswordChangesStartFromTheSameHash_ThenOnlyTheFirstIsStored()
    {
        var name = "adm-cas-" + Guid.NewGuid().ToString("N")[..8];
        var grain = cluster.Grains.AdminUser(name);
        var first = WebPassword.Hash("senha-inicial-123");
        Assert.True(await grain.Create("Teste", first, "teste", onlyIfNoAdmin: false));
        Assert.False(await grain.Create("Outro", WebPassword.Hash("outra-senha-456"), "teste", onlyIfNoAdmin: false)); // name taken
        // an admin must exist by now (this one), so a "first admin" creation never happens again
        Assert.False(await cluster.Grains.AdminUser(name + "-x").Create("X", first, "teste", onlyIfNoAdmin: true));

        var a = WebPassword.Hash("nova-senha-aaa-1");
        var b = WebPassword.Hash("nova-senha-bbb-2");
        Assert.True(await grain.ChangePasswordHash(first, a));
        Assert.False(await grain.ChangePasswordHash(first, b)); // checked against a hash that is no longer current
        Assert.Equal(a, await StoredHash(name));
        Assert.Null(await StoredHash(name + "-x"));
    }
}
