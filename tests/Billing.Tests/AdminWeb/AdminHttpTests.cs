using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Billing.Api.Web;
using Billing.GrainInterfaces.Logins;
using Billing.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Tests.AdminWeb;

/// <summary>Admin pages over plain HTTP: login required everywhere, antiforgery on every form, lockout.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class AdminHttpTests(ClusterFixture cluster)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    internal static partial Regex TokenRegex();

    [GeneratedRegex("name=\"Input.Key\" id=\"chave\" value=\"([^\"]+)\"")]
    internal static partial Regex KeyRegex();

    private static async Task<string> TokenAsync(HttpClient http, string url)
    {
        var html = await http.GetStringAsync(url);
        return TokenRegex().Match(html).Groups[1].Value;
    }

    internal static async Task LoginAsync(HttpClient http)
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
    [InlineData("/admin/faturamento")]
    [InlineData("/admin/faturamento/faturar?cliente=1&itens=1")]
    [InlineData("/admin/faturamento/historico")]
    [InlineData("/admin/faturamento/historico?handler=relatorio&id=1&tipo=sintetico")]
    [InlineData("/admin/revendas")]
    [InlineData("/admin/revendas/novo")]
    [InlineData("/admin/revendas/1")]
    [InlineData("/admin/dids")]
    [InlineData("/admin/dids/+551140001234")]
    [InlineData("/admin/revendas/faturas?comparar=2025-07")]
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
            ["Input.Documento"] = Registration.Docs.Cpf(),
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
            ["Input.Documento"] = Registration.Docs.Cpf(),
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
        for (var i = 0; i < LoginKeys.MaxFailures; i++)
        {
            var failed = await users.LoginAsync(user, "errada" + i, "10.9.9." + i, default);
            Assert.Equal(i < LoginKeys.MaxFailures - 1 ? LoginStatus.Invalid : LoginStatus.Throttled, failed.Status);
        }
        var outcome = await users.LoginAsync(user, "Outra-senha-99", "10.9.9.99", default);
        Assert.Equal(LoginStatus.Throttled, outcome.Status);
        // the lock is the cluster's (one guard grain per user name), so every API host sees it
        var guard = await cluster.Grains.GetGrain<ILoginGuardGrain>(LoginKeys.Admin(user)).Get();
        Assert.True(guard.LockedUntil > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task WhenTheFinalizationFormIsPostedTwiceWithTheSameHiddenKey_ThenOneBillingIsCreated()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Duplo Clique Ltda");
        var a = await AdminBillingBrowserTests.AvulsoAsync(admin, customer, "2026-03-02", "Instalação", 80m);
        var b = await AdminBillingBrowserTests.AvulsoAsync(admin, customer, "2026-03-03", "Cabeamento", 20m);
        var c = customer.ToString(CultureInfo.InvariantCulture);
        using var http = web.Http();
        await LoginAsync(http);

        var html = await http.GetStringAsync($"/admin/faturamento/faturar?cliente={c}&por=base&data=2026-03-31&itens={a}&itens={b}");
        var token = TokenRegex().Match(html).Groups[1].Value;
        var key = KeyRegex().Match(html).Groups[1].Value;
        Assert.NotEmpty(key);
        List<KeyValuePair<string, string>> Form(string discount) =>
        [
            new("cliente", c), new("por", "base"), new("data", "2026-03-31"),
            new("itens", a.ToString(CultureInfo.InvariantCulture)), new("itens", b.ToString(CultureInfo.InvariantCulture)),
            new("Input.Key", key), new("Input.BillingDate", "2026-03-31"), new("Input.DueDate", "2026-04-10"),
            new("Input.Discount", discount), new("Input.NfeNumber", "DUP-" + key[..6]), new("__RequestVerificationToken", token),
        ];

        // a negative Valor Real is refused by the server with the field error, and nothing is billed
        var refused = await http.PostAsync("/admin/faturamento/faturar", new FormUrlEncodedContent(Form("100,01")));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("id=\"err-discount\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0L, await BillingsOf(customer));

        var first = await http.PostAsync("/admin/faturamento/faturar", new FormUrlEncodedContent(Form("10,00")));
        var second = await http.PostAsync("/admin/faturamento/faturar", new FormUrlEncodedContent(Form("10,00")));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.StartsWith("/admin/faturamento/historico", second.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1L, await BillingsOf(customer));
        await using var cmd = cluster.Db.CreateCommand("SELECT valor_real, idempotency_key, created_by FROM billing_records WHERE customer_id = @c");
        cmd.Parameters.AddWithValue("c", customer);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(90m, r.GetDecimal(0));
        Assert.Equal(key, r.GetString(1));
        Assert.Equal(AdminWebServer.User, r.GetString(2));
    }

    private async Task<long> BillingsOf(long customer)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM billing_records WHERE customer_id = @c");
        cmd.Parameters.AddWithValue("c", customer);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
