using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// The window fields of /admin/planos and the page /admin/feriados over plain HTTP: login required, bad input answered
/// next to the field it is about, with nothing stored; the REST holidays answer the same through the shared service.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class WindowScreensHttpTests(ClusterFixture cluster)
{
    private async Task<(HttpClient Http, string Token)> LoggedInAsync(string url)
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var html = await http.GetStringAsync(url);
        return (http, AdminHttpTests.TokenRegex().Match(html).Groups[1].Value);
    }

    private static async Task<string> PostAsync(HttpClient http, string url, Dictionary<string, string> form)
    {
        var r = await http.PostAsync(url, new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode); // the form again, with the errors
        return await r.Content.ReadAsStringAsync();
    }

    /// <summary>The ids of the field errors on a page (err-&lt;field&gt;).</summary>
    private static List<string> ErrorIds(string html) => [.. ErrorId().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("id=\"(err-[^\"]+)\"")]
    private static partial Regex ErrorId();

    private async Task<long> CountAsync(string sql, string value)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("v", value);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenFeriadosIsOpenedWithoutLogin_ThenItRedirectsToTheLogin()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var machine = web.Http();
        machine.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        var r = await machine.GetAsync("/admin/feriados");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.StartsWith("/admin/login", r.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenAWindowHasABadTimeNoDaysOrIsOnARateDeckEntry_ThenEachErrorIsNextToItsField_AndNoPlanIsStored()
    {
        var (http, token) = await LoggedInAsync("/admin/planos/novo");
        using var owned = http;
        var id = "wh-" + Guid.NewGuid().ToString("N")[..8];
        var form = new Dictionary<string, string>
        {
            ["Input.Id"] = id,
            ["Input.Nome"] = "Plano " + id,
            ["Input.Entradas[0].Tipo"] = "local_fixo",
            ["Input.Entradas[0].Modo"] = "tarifa",
            ["Input.Entradas[0].Faixas[0].De"] = "0",
            ["Input.Entradas[0].Faixas[0].Preco"] = "0,06",
            ["Input.Entradas[0].Faixas[0].Incremento"] = "60",
            // window 1: a start that is not a time; window 2: no day ticked
            ["Input.Entradas[0].Janelas[0].Dias"] = "mon",
            ["Input.Entradas[0].Janelas[0].De"] = "25:00",
            ["Input.Entradas[0].Janelas[0].Ate"] = "19:00",
            ["Input.Entradas[0].Janelas[0].Faixas[0].De"] = "0",
            ["Input.Entradas[0].Janelas[0].Faixas[0].Preco"] = "0,12",
            ["Input.Entradas[0].Janelas[0].Faixas[0].Incremento"] = "60",
            ["Input.Entradas[0].Janelas[1].De"] = "19:00",
            ["Input.Entradas[0].Janelas[1].Ate"] = "07:00",
            // the window's second slot row is blank, the third has no whole increment
            ["Input.Entradas[0].Janelas[1].Faixas[0].De"] = "0",
            ["Input.Entradas[0].Janelas[1].Faixas[0].Preco"] = "0,03",
            ["Input.Entradas[0].Janelas[1].Faixas[0].Incremento"] = "60",
            ["Input.Entradas[0].Janelas[1].Faixas[1].De"] = "",
            ["Input.Entradas[0].Janelas[1].Faixas[1].Preco"] = "",
            ["Input.Entradas[0].Janelas[1].Faixas[1].Incremento"] = "",
            ["Input.Entradas[0].Janelas[1].Faixas[2].De"] = "60",
            ["Input.Entradas[0].Janelas[1].Faixas[2].Preco"] = "0,03",
            ["Input.Entradas[0].Janelas[1].Faixas[2].Incremento"] = "0",
            // a rate-deck entry may not carry windows
            ["Input.Entradas[1].Tipo"] = "ldi",
            ["Input.Entradas[1].Modo"] = "tabela",
            ["Input.Entradas[1].Tabela"] = "qualquer",
            ["Input.Entradas[1].Janelas[0].Dias"] = "sat",
            ["Input.Entradas[1].Janelas[0].De"] = "00:00",
            ["Input.Entradas[1].Janelas[0].Ate"] = "24:00",
            ["Input.Entradas[1].Janelas[0].Faixas[0].De"] = "0",
            ["Input.Entradas[1].Janelas[0].Faixas[0].Preco"] = "1",
            ["Input.Entradas[1].Janelas[0].Faixas[0].Incremento"] = "60",
            ["__RequestVerificationToken"] = token,
        };
        var html = await PostAsync(http, "/admin/planos/novo", form);
        Assert.Contains("err-entries-local_fixo-windows-0--from", ErrorIds(html));
        Assert.Contains("err-local_fixo-janela-1-dias", ErrorIds(html));
        Assert.Contains("err-entries-local_fixo-windows-1--tariff-slots-2--incrementSeconds", ErrorIds(html)); // the form's row, not the API's index
        Assert.Contains("err-entries-ldi-windows", ErrorIds(html));
        Assert.Contains("tabela de destinos", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("value=\"25:00\"", html, StringComparison.Ordinal); // what was typed is kept
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM plans WHERE id = @v", id));

        // a price that is not a number is caught by the page itself, next to the window's slot row
        form["Input.Entradas[0].Janelas[0].Faixas[0].Preco"] = "abc";
        html = await PostAsync(http, "/admin/planos/novo", form);
        Assert.Contains("err-entries-local_fixo-windows-0--tariff-slots-0--pricePerMinute", ErrorIds(html));
        form["Input.Entradas[0].Janelas[0].Faixas[0].Preco"] = "0,12";

        // with the values fixed (and the rate deck entry dropped) the same post is stored with its two windows
        form["Input.Entradas[0].Janelas[0].De"] = "07:00";
        form["Input.Entradas[0].Janelas[1].Dias"] = "sun";
        form["Input.Entradas[0].Janelas[1].Ate"] = "24:00";
        form["Input.Entradas[0].Janelas[1].Faixas[2].Incremento"] = "60";
        form["Input.Entradas[1].Modo"] = "nenhum";
        var r = await http.PostAsync("/admin/planos/novo", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        var plan = await (await cluster.AsAdmin().GetAsync("/api/plans/" + id)).JsonAsync();
        var windows = plan.GetProperty("versions")[0].GetProperty("entries").GetProperty("local_fixo").GetProperty("windows");
        Assert.Equal(2, windows.GetArrayLength());
        Assert.Equal("sun", windows[1].GetProperty("days")[0].GetString());
        Assert.Equal(2, windows[1].GetProperty("tariff").GetProperty("slots").GetArrayLength());
        Assert.False(plan.GetProperty("versions")[0].GetProperty("entries").TryGetProperty("ldi", out var _));
    }

    [Fact]
    public async Task WhenAWindowOmitsItsDaysInTheApi_Then400NamingTheDays_NotAServerError()
    {
        var id = "wd-" + Guid.NewGuid().ToString("N")[..8];
        var tariff = new { connectFee = 0m, slots = new object[] { new { fromSecond = 0, pricePerMinute = 0.06m, incrementSeconds = 60 } }, minimumSeconds = 0, freeSeconds = 0 };
        var r = await cluster.AsAdmin().PostAsJsonAsync("/api/plans", new
        {
            id, name = "Plano " + id,
            entries = new { local_fixo = new { tariff, windows = new object[] { new { from = "07:00", to = "19:00", tariff } } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await r.JsonAsync()).GetProperty("errors").TryGetProperty("entries.local_fixo.windows[0].days", out var _));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM plans WHERE id = @v", id));
    }

    [Fact]
    public async Task WhenAHolidayIsPostedWithoutNameWithAnUnknownUfOrABadDate_ThenTheErrorsAreNextToTheFields_AndNothingIsStored()
    {
        var (http, token) = await LoggedInAsync("/admin/feriados");
        using var owned = http;
        var name = "Feriado " + Guid.NewGuid().ToString("N")[..6];

        var html = await PostAsync(http, "/admin/feriados", new Dictionary<string, string>
        {
            ["Data"] = "2093-05-05", ["Nome"] = "", ["Uf"] = "XX", ["__RequestVerificationToken"] = token,
        });
        Assert.Contains("err-name", ErrorIds(html));
        Assert.Contains("err-uf", ErrorIds(html));

        html = await PostAsync(http, "/admin/feriados", new Dictionary<string, string>
        {
            ["Data"] = "31/02/2093", ["Nome"] = name, ["Uf"] = "", ["__RequestVerificationToken"] = token,
        });
        Assert.Contains("err-date", ErrorIds(html));
        Assert.Contains($"value=\"{name}\"", html, StringComparison.Ordinal);

        html = await PostAsync(http, "/admin/feriados", new Dictionary<string, string>
        {
            ["Data"] = "2199-01-10", ["Nome"] = name, ["__RequestVerificationToken"] = token,
        });
        Assert.Contains("err-date", ErrorIds(html));
        Assert.Contains("2000 a 2099", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM holidays WHERE name = @v", name));

        // a date (and UF) that already has an operator holiday: said next to the date, not stored twice
        var taken = new DateOnly(2094, 1, 1).AddDays(Random.Shared.Next(0, 365)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var first = await cluster.AsAdmin().PostAsJsonAsync("/api/holidays", new { date = taken, name, uf = "RJ" });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        html = await PostAsync(http, "/admin/feriados", new Dictionary<string, string>
        {
            ["Data"] = taken, ["Nome"] = name + " de novo", ["Uf"] = "RJ", ["__RequestVerificationToken"] = token,
        });
        Assert.Contains("err-date", ErrorIds(html));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM holidays WHERE name = @v", name + " de novo"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM holidays WHERE name = @v", name));

        // the REST endpoint answers the same refusal, through the same service
        var api = await cluster.AsAdmin().PostAsJsonAsync("/api/holidays", new { date = "2093-05-05", name = "", uf = "XX" });
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        var problem = await api.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out var _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("uf", out var _));
    }

    [Fact]
    public async Task WhenAHolidayThatDoesNotExistIsDeletedOrAYearIsNotOne_ThenThePageSaysSo()
    {
        var (http, token) = await LoggedInAsync("/admin/feriados");
        using var owned = http;
        var html = await PostAsync(http, "/admin/feriados?handler=Excluir", new Dictionary<string, string>
        {
            ["Id"] = "987654321012", ["__RequestVerificationToken"] = token,
        });
        Assert.Contains("id=\"problema\"", html, StringComparison.Ordinal);

        var year = await http.GetStringAsync("/admin/feriados?ano=1500");
        Assert.Contains("err-year", ErrorIds(year));
        Assert.Contains("Confraternização Universal", WebUtility.HtmlDecode(year), StringComparison.Ordinal); // this year's list meanwhile
        Assert.Equal(HttpStatusCode.BadRequest, (await cluster.AsAdmin().GetAsync("/api/holidays?year=1500")).StatusCode);
    }
}
