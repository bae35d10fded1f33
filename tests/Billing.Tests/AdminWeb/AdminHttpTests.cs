using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Billing.Api.Web;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Tests.AdminWeb;

/// <summary>Admin pages over plain HTTP: login required everywhere, antiforgery on every form, lockout.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class AdminHttpTests(ClusterFixture cluster)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    private static async Task<string> TokenAsync(HttpClient http, string url)
    {
        var html = await http.GetStringAsync(url);
        return TokenRegex().Match(html).Groups[1].Value;
    }

    private static async Task LoginAsync(HttpClient http)
    {
        var token = await TokenAsync(http, "/admin/login");
        var r = await http.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Usuario"] = AdminWebServer.User,
            ["Senha"] = AdminWebServer.Password,
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
    }

    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/clientes")]
    [InlineData("/admin/clientes/novo")]
    [InlineData("/admin/circuitos")]
    [InlineData("/admin/circuitos/novo")]
    [InlineData("/admin/circuitos/lote")]
    [InlineData("/admin/faturas")]
    [InlineData("/admin/faturas/1")]
    [InlineData("/admin/faturas/1?handler=documento&tipo=pdf")]
    [InlineData("/admin/revendas/faturas")]
    [InlineData("/admin/revendas/faturas?handler=csv")]
    [InlineData("/admin/administradores")]
    public async Task WhenNotLoggedIn_ThenEveryAdminPageRedirectsToTheLogin_EvenWithTheAdminApiKey(string url)
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var anonymous = web.Http();
        var r = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.StartsWith("/admin/login", r.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        using var machine = web.Http();
        machine.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        var m = await machine.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, m.StatusCode); // the API key is for machines, not for the web admin
    }

    [Fact]
    public async Task WhenLoggedIn_ThenPagesAnswer_AndLogoutEndsTheSession()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await LoginAsync(http);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/admin/clientes")).StatusCode);
        var token = await TokenAsync(http, "/admin/clientes");
        var r = await http.PostAsync("/admin/sair", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/admin/clientes")).StatusCode);
    }

    [Fact]
    public async Task WhenAFormIsPostedWithoutTheAntiforgeryToken_ThenItIsRejected_AndNothingChanges()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        var login = await http.PostAsync("/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Usuario"] = AdminWebServer.User,
            ["Senha"] = AdminWebServer.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);

        await LoginAsync(http);
        var nome = "Sem Token " + Guid.NewGuid().ToString("N")[..6];
        var post = await http.PostAsync("/admin/clientes/novo", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Nome"] = nome,
            ["Input.Documento"] = Customers.Docs.Cpf(),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM customers WHERE nome = @n");
        cmd.Parameters.AddWithValue("n", nome);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);

        // with the token the same post works
        var token = await TokenAsync(http, "/admin/clientes/novo");
        var ok = await http.PostAsync("/admin/clientes/novo", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Nome"] = nome,
            ["Input.Documento"] = Customers.Docs.Cpf(),
            ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
    }

    [Fact]
    public async Task WhenAUserFailsFiveTimes_ThenEvenTheRightPasswordIsRefusedForAWhile()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var user = "bloqueio" + Guid.NewGuid().ToString("N")[..6];
        var users = web.Services.GetRequiredService<AdminUsers>();
        Assert.Null(await users.CreateAsync(user, "Bloqueio", "Outra-senha-99", "teste"));
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            var failed = await users.LoginAsync(user, "errada" + i, "10.9.9." + i, default);
            Assert.Equal(i < LoginThrottle.MaxFailures - 1 ? LoginStatus.Invalid : LoginStatus.Throttled, failed.Status);
        }
        var outcome = await users.LoginAsync(user, "Outra-senha-99", "10.9.9.99", default);
        Assert.Equal(LoginStatus.Throttled, outcome.Status);
        await using var cmd = cluster.Db.CreateCommand("SELECT locked_until > now() FROM admin_users WHERE username = @u");
        cmd.Parameters.AddWithValue("u", user);
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
    }
}
