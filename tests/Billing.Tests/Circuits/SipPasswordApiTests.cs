using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Circuits;

/// <summary>Senha SIP: write-only in the API, kept only as the digest HA1 of the configured realm.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SipPasswordApiTests(ClusterFixture cluster)
{
    private async Task<object?> Scalar(string sql, string account)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("a", account);
        var v = await cmd.ExecuteScalarAsync();
        return v is DBNull ? null : v;
    }

    private static async Task AssertNamesSipPassword(HttpResponseMessage r, string field = "sipPassword")
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, text);
        var pd = JsonDocument.Parse(text).RootElement;
        Assert.True(pd.GetProperty("errors").TryGetProperty(field, out var messages), text);
        // pt-BR, naming what is wrong
        Assert.Contains("senha SIP", messages[0].GetString()!, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("curta1")]
    [InlineData("com espaço 123")]
    [InlineData("acentuação-123")]
    [InlineData("linha\nnova-123")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task WhenTheSipPasswordIsInvalid_ThenEveryEndpoint400NamesSipPasswordAndNothingChanges(string bad)
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = Seed.NewAccount();
        var create = await admin.PostAsJsonAsync("/api/circuits",
            new { account, name = "Circuito SIP", customerId = customer, areaCode = "11", sipPassword = bad });
        await AssertNamesSipPassword(create);
        // nothing created
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{account}")).StatusCode);
        Assert.Null(await Scalar("SELECT account FROM circuits WHERE account = @a", account));

        var existing = await Seed.CircuitAsync(admin, customer, null);
        await AssertNamesSipPassword(await admin.PutAsJsonAsync($"/api/circuits/{existing}", new { name = "Outro nome", sipPassword = bad }));
        await AssertNamesSipPassword(await admin.PutAsJsonAsync($"/api/circuits/{existing}/sip-password", new { sipPassword = bad }));
        var view = await admin.GetFromJsonAsync<JsonElement>($"/api/circuits/{existing}");
        // the update was refused as a whole: neither the name nor the password changed
        Assert.Equal("Circuito " + existing, view.GetProperty("name").GetString());
        Assert.False(view.GetProperty("hasSipPassword").GetBoolean());
        Assert.Null(await Scalar("SELECT sip_ha1 FROM circuits WHERE account = @a", existing));
        Assert.Null(await cluster.Grains.Circuit(existing).GetSipHa1(SipPassword.DefaultRealm));
    }

    [Fact]
    public async Task WhenNoSipPasswordIsGiven_ThenTheDedicatedEndpoint400NamesSipPassword()
    {
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), null);
        await AssertNamesSipPassword(await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { }));
    }

    [Fact]
    public async Task WhenASipPasswordIsSet_ThenOnlyTheHa1OfTheRealmIsKeptAndItIsNeverReturned()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = Seed.NewAccount();
        const string password = "Sip#Senha-2026!";
        var created = await admin.PostAsJsonAsync("/api/circuits",
            new { account, name = "Circuito SIP", customerId = customer, areaCode = "11", sipPassword = password });
        var createdText = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, createdText);
        var ha1 = SipPassword.Ha1(account, "billing", password);
        Assert.Equal(32, ha1.Length);

        var got = await admin.GetAsync($"/api/circuits/{account}");
        var gotText = await got.Content.ReadAsStringAsync();
        var list = await (await admin.GetAsync($"/api/circuits?search={account}")).Content.ReadAsStringAsync();
        foreach (var text in new[] { createdText, gotText, list })
        {
            Assert.DoesNotContain(password, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ha1, text, StringComparison.Ordinal);
            Assert.DoesNotContain("\"sipPassword\"", text, StringComparison.Ordinal);
        }
        Assert.True(JsonDocument.Parse(gotText).RootElement.GetProperty("hasSipPassword").GetBoolean());

        // HA1 = MD5(account:realm:password) with the configured realm, in the grain and its row; never the password
        Assert.Equal(ha1, await cluster.Grains.Circuit(account).GetSipHa1("billing"));
        Assert.Null(await cluster.Grains.Circuit(account).GetSipHa1("outro-realm"));
        Assert.Equal(ha1, await Scalar("SELECT sip_ha1 FROM circuits WHERE account = @a", account));
        Assert.Equal("billing", await Scalar("SELECT sip_realm FROM circuits WHERE account = @a", account));
        await using (var cmd = cluster.Db.CreateCommand(
            "SELECT count(*) FROM orleansstorage WHERE position(convert_to(@p, 'UTF8') in payloadbinary) > 0"))
        {
            cmd.Parameters.AddWithValue("p", password);
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        Assert.Equal(0L, (long)(await Scalar(
            "SELECT count(*) FROM audit_log WHERE entity_id = @a AND changes::text LIKE '%Sip#Senha-2026!%'", account))!);
        Assert.Equal(1L, (long)(await Scalar(
            "SELECT count(*) FROM audit_log WHERE entity_id = @a AND action = 'set-sip-password'", account))!);

        // changed through the dedicated endpoint: the new HA1 replaces the old one
        var changed = await admin.PutAsJsonAsync($"/api/circuits/{account}/sip-password", new { sipPassword = "outra-senha-99" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(SipPassword.Ha1(account, "billing", "outra-senha-99"), await cluster.Grains.Circuit(account).GetSipHa1("billing"));
        // an update without sipPassword keeps it
        var renamed = await admin.PutAsJsonAsync($"/api/circuits/{account}", new { name = "Renomeado" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(SipPassword.Ha1(account, "billing", "outra-senha-99"), await cluster.Grains.Circuit(account).GetSipHa1("billing"));
    }

    [Fact]
    public void WhenTheHa1IsComputed_ThenItIsTheRfc2617DigestOfAccountRealmAndPassword()
    {
        // RFC 2617 §3.5's example: MD5("Mufasa:testrealm@host.com:Circle Of Life")
        Assert.Equal("939e7578ed9e3c518a452acee763bce9", SipPassword.Ha1("Mufasa", "testrealm@host.com", "Circle Of Life"));
    }
}
