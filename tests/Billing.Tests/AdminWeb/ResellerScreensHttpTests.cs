using System.Net;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>/admin/revendas and /admin/dids over plain HTTP: login required, antiforgery, bad input refused next to the field changing nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ResellerScreensHttpTests(ClusterFixture cluster)
{
    private static async Task<string> TokenAsync(HttpClient http, string url) =>
        AdminHttpTests.TokenRegex().Match(await http.GetStringAsync(url)).Groups[1].Value;

    [Fact]
    public async Task WhenAResellerFormHasBadFields_ThenEachErrorIsNextToItsField_AndNothingIsSaved()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var nome = "Revenda Http " + Guid.NewGuid().ToString("N")[..6];
        var form = new Dictionary<string, string>
        {
            ["Input.Nome"] = nome,
            ["Input.Documento"] = "12.345.678/0001-00", // wrong check digits
            ["Input.DidMonthlyFee"] = "10,00",
            ["Input.CompletionPricePerMinute"] = "0,1234567", // 7 decimals
            ["Input.Contatos[0].Email"] = "sem-nome@example.com",
            ["__RequestVerificationToken"] = await TokenAsync(http, "/admin/revendas/novo"),
        };
        var r = await http.PostAsync("/admin/revendas/novo", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-documento\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"err-completionPricePerMinute\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"err-contatos-0--nome\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"err-didMonthlyFee\"", html, StringComparison.Ordinal);
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM resellers WHERE nome = @n");
        cmd.Parameters.AddWithValue("n", nome);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);

        // without the antiforgery token the post is refused before the page runs
        form.Remove("__RequestVerificationToken");
        form["Input.Documento"] = Registration.Docs.Cnpj();
        form["Input.CompletionPricePerMinute"] = "0,12";
        form.Remove("Input.Contatos[0].Email");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/admin/revendas/novo", new FormUrlEncodedContent(form))).StatusCode);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task WhenADidNumberIsInvalidOrUnknown_ThenTheAddFormSaysSoAndAnUnknownDidPageIs404()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var r = await http.PostAsync("/admin/dids", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Modo"] = "um",
            ["Numero"] = "12-abc",
            ["Mensalidade"] = "9,999",
            ["__RequestVerificationToken"] = await TokenAsync(http, "/admin/dids"),
        }));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = await r.Content.ReadAsStringAsync();
        Assert.Contains("id=\"err-number\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"err-monthlyFee\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/dids/+559999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/dids/nao-e-numero")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/revendas/999999999")).StatusCode);
    }
}
