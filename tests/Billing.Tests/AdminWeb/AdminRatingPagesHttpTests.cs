using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>/admin/planos and /admin/tabelas over plain HTTP: login required, bad input answered next to the field with nothing stored.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminRatingPagesHttpTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData("/admin/planos")]
    [InlineData("/admin/planos/novo")]
    [InlineData("/admin/planos/qualquer")]
    [InlineData("/admin/tabelas")]
    [InlineData("/admin/tabelas/qualquer")]
    [InlineData("/admin/tabelas/qualquer?handler=Csv")]
    public async Task WhenNotLoggedIn_ThenThePagesRedirectToTheLogin_EvenWithTheAdminApiKey(string url)
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var machine = web.Http();
        machine.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        var r = await machine.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.StartsWith("/admin/login", r.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenAPlanOrDeckDoesNotExist_Then404()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/planos/nao-existe-" + Guid.NewGuid().ToString("N")[..6])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/tabelas/nao-existe-" + Guid.NewGuid().ToString("N")[..6])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/tabelas/nao-existe?handler=Csv")).StatusCode);
    }

    [Fact]
    public async Task WhenAPlanIsPostedWithAPriceThatIsNotANumberOr7Decimals_ThenTheErrorIsNextToTheField_AndNoPlanIsStored()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var id = "ph-" + Guid.NewGuid().ToString("N")[..8];
        var html = await http.GetStringAsync("/admin/planos/novo");
        var token = AdminHttpTests.TokenRegex().Match(html).Groups[1].Value;

        async Task<string> Post(string price)
        {
            var r = await http.PostAsync("/admin/planos/novo", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Id"] = id,
                ["Input.Nome"] = "Plano " + id,
                ["Input.Entradas[0].Tipo"] = "local_fixo",
                ["Input.Entradas[0].Modo"] = "tarifa",
                ["Input.Entradas[0].Faixas[0].De"] = "0",
                ["Input.Entradas[0].Faixas[0].Preco"] = price,
                ["Input.Entradas[0].Faixas[0].Incremento"] = "60",
                ["__RequestVerificationToken"] = token,
            }));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode); // the form again, with the error
            return await r.Content.ReadAsStringAsync();
        }

        Assert.Contains("id=\"err-entries-local_fixo-tariff-slots-0--pricePerMinute\"", await Post("abc"), StringComparison.Ordinal);
        var decimals = await Post("0,1234567");
        Assert.Contains("id=\"err-entries-local_fixo-tariff-slots-0--pricePerMinute\"", decimals, StringComparison.Ordinal);
        Assert.Contains("6 casas decimais", decimals, StringComparison.Ordinal);
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM plans WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task WhenADeckIsPostedWithoutAFileOrWithABadId_ThenTheFieldIsNamed_AndNothingIsStored()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var html = await http.GetStringAsync("/admin/tabelas");
        var token = AdminHttpTests.TokenRegex().Match(html).Groups[1].Value;

        using var noFile = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new StringContent("x-" + Guid.NewGuid().ToString("N")[..6]), "Codigo" } };
        var r = await http.PostAsync("/admin/tabelas", noFile);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("id=\"err-file\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var badId = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("não vale!"), "Codigo" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n1,EUA,0.05,0,6,6,0\n")), "Arquivo", "t.csv" },
        };
        var b = await http.PostAsync("/admin/tabelas", badId);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Contains("id=\"err-id\"", await b.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM rate_decks WHERE id = 'não vale!'");
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }
}
