using System.Globalization;
using System.Net;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>The circuit screens over plain HTTP: bad input answers the page with the error next to its field and changes nothing.</summary>
public sealed partial class AdminHttpTests
{
    [Theory]
    [InlineData("0", "Recarga", "amount", "diferente de zero")]
    [InlineData("10,001", "Recarga", "amount", "2 casas decimais")]
    [InlineData("20000000", "Recarga", "amount", "grande demais")]
    [InlineData("10,00", "", "description", "Informe a descrição")]
    [InlineData("10,00", "KEY:none", "idempotencyKey", "chave de idempotência")]
    public async Task WhenACreditFormIsPostedWithBadInput_ThenTheFieldIsNamed_AndTheBalanceDoesNotMove(string valor, string descricao,
        string field, string message)
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await LoginAsync(http);
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), null);
        var url = $"/admin/circuitos/{account}";
        var noKey = descricao == "KEY:none";
        var form = new Dictionary<string, string>
        {
            ["Credito.Valor"] = valor,
            ["Credito.Descricao"] = noKey ? "Recarga" : descricao,
            ["Credito.Chave"] = noKey ? "" : Guid.NewGuid().ToString("N"),
            ["__RequestVerificationToken"] = await TokenAsync(http, url),
        };
        var r = await http.PostAsync(url + "?handler=Credito", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var html = WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
        Assert.Contains($"id=\"err-{field}\"", html, StringComparison.Ordinal);
        Assert.Contains(message, html, StringComparison.Ordinal);
        var balance = await (await admin.GetAsync($"/api/circuits/{account}/balance")).JsonAsync();
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM ledger WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task WhenAToolbarActionIsPostedWithoutSelectedCircuits_ThenItAsksForOne_AndAnUnknownCircuitIsNotFound()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await LoginAsync(http);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        var list = "/admin/circuitos?cliente=" + customer.ToString(CultureInfo.InvariantCulture);
        foreach (var handler in new[] { "Excluir", "Fatura" })
        {
            var r = await http.PostAsync("/admin/circuitos?handler=" + handler, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Fatura.ClosingDay"] = "5",
                ["__RequestVerificationToken"] = await TokenAsync(http, list),
            }));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("Selecione ao menos um circuito.", WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/circuits/{account}")).StatusCode);

        // Configurar Fatura with nothing to apply names the dialog's fields; the circuit keeps its settings
        var none = await http.PostAsync("/admin/circuitos?handler=Fatura", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["selecionados"] = account,
            ["Fatura.DueDays"] = "dez",
            ["__RequestVerificationToken"] = await TokenAsync(http, list),
        }));
        Assert.Contains("id=\"err-invoice-dueDays\"", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/circuitos/99999999999999999/ligacoes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin/circuitos/abc/ligacoes")).StatusCode);
    }
}
