using System.Net;
using System.Net.Http.Headers;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Dids;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Billing.Tests.Portal;

/// <summary>Portal auth and isolation over plain HTTP (WebApplicationFactory, cookies kept, redirects not followed).</summary>
[Collection(ClusterCollection.Name)]
public sealed class PortalHttpTests(ClusterFixture cluster)
{
    private HttpClient Browser() =>
        cluster.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task<HttpClient> LoggedIn(PortalCircuit c)
    {
        var http = Browser();
        var r = await PortalScenario.LoginAsync(http, c.Account, c.Password);
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal("/portal", r.Headers.Location?.OriginalString);
        return http;
    }

    [Fact]
    public async Task WhenAMenuIsOffInGestaoWeb_ThenItIsNotShownAndItsUrlAnswers403()
    {
        var c = await PortalScenario.CreateAsync(cluster, new WebFlags
        {
            Faturas = true, Web = true, Blacklist = false, Sigame = false, Acb = false, Grafico = false, Tabela = false, Perfil = false, Mensagem = false,
        });
        var http = await LoggedIn(c);
        var home = await (await http.GetAsync("/portal")).Content.ReadAsStringAsync();
        Assert.Contains("href=\"/portal/faturas\"", home, StringComparison.Ordinal);
        foreach (var hidden in new[] { "/portal/blacklist", "/portal/numeros", "/portal/grafico", "/portal/tabela", "/portal/perfil", "/portal/mensagem" })
        {
            Assert.DoesNotContain($"href=\"{hidden}\"", home, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(hidden)).StatusCode);
        }
        // posting to a hidden menu's form is refused too (token taken from a page the circuit may see)
        var add = await PortalScenario.PostFormAsync(http, "/portal/senha", "/portal/blacklist?handler=Add",
            new Dictionary<string, string> { ["numero"] = "11987654321" });
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        Assert.Empty((await cluster.Grains.Circuit(c.Account).GetBlacklist())!);
        var set = await PortalScenario.PostFormAsync(http, "/portal/senha", "/portal/numeros",
            new Dictionary<string, string> { ["numero"] = c.Did, ["acb"] = "true" });
        Assert.Equal(HttpStatusCode.Forbidden, set.StatusCode);
        Assert.False((await cluster.Grains.Did(c.Did).Get())!.AcceptsCollect);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/portal/faturas")).StatusCode);

        // the admin switches a menu on: it appears at once (flags are read live)
        var grain = cluster.Grains.Circuit(c.Account);
        var v = await grain.Get();
        await grain.Update(v!.Data with { Flags = v.Data.Flags with { Grafico = true, Faturas = false } }, "test");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/portal/grafico")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/portal/faturas")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/portal/faturas/{c.IssuedInvoiceId}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/portal/ligacoes/efetuadas")).StatusCode);
    }

    [Fact]
    public async Task WhenACustomerTriesAnotherCircuitsUrls_ThenTheyAreRefusedAndNothingChanges()
    {
        var a = await PortalScenario.CreateAsync(cluster);
        var b = await PortalScenario.CreateAsync(cluster);
        var http = await LoggedIn(a);

        var own = await http.GetAsync($"/portal/faturas/{a.IssuedInvoiceId}/pdf");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("application/pdf", own.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/portal/faturas/{b.IssuedInvoiceId}/pdf")).StatusCode);
        // a draft is never shown, not even its own
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/portal/faturas/{a.DraftInvoiceId}/pdf")).StatusCode);
        var faturas = await (await http.GetAsync("/portal/faturas")).Content.ReadAsStringAsync();
        Assert.Contains($"/portal/faturas/{a.IssuedInvoiceId}/pdf", faturas, StringComparison.Ordinal);
        Assert.DoesNotContain($"/portal/faturas/{a.DraftInvoiceId}/pdf", faturas, StringComparison.Ordinal);
        Assert.DoesNotContain($"/portal/faturas/{b.IssuedInvoiceId}/pdf", faturas, StringComparison.Ordinal);

        // another circuit's DID cannot be changed
        var post = await PortalScenario.PostFormAsync(http, "/portal/numeros", "/portal/numeros",
            new Dictionary<string, string> { ["numero"] = b.Did, ["acb"] = "true", ["sigame"] = "true", ["destino"] = "1133334444" });
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        var bDid = await cluster.Grains.Did(b.Did).Get();
        Assert.False(bDid!.AcceptsCollect);
        Assert.False(bDid.Sigame.Enabled);
        var numeros = WebUtility.HtmlDecode(await (await http.GetAsync("/portal/numeros")).Content.ReadAsStringAsync());
        Assert.Contains(a.Did, numeros, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Did, numeros, StringComparison.Ordinal);

        // query strings naming another account are ignored: calls listed are always the session's
        var calls = await (await http.GetAsync($"/portal/ligacoes/recebidas?account={b.Account}")).Content.ReadAsStringAsync();
        Assert.Contains("987654321", calls, StringComparison.Ordinal);
        Assert.DoesNotContain(b.Account, calls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenNotLoggedIn_OrUsingTheAdminKey_ThenPortalPagesRedirectToLogin()
    {
        var anon = Browser();
        var r = await anon.GetAsync("/portal/faturas");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.StartsWith("http://localhost/portal/login", r.Headers.Location!.ToString(), StringComparison.Ordinal);
        var admin = Browser();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.GetAsync("/portal/faturas")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync("/portal/login")).StatusCode);
        // a form post without the antiforgery token is refused
        var noToken = await anon.PostAsync("/portal/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["circuito"] = "123", ["senha"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
    }

    [Fact]
    public async Task WhenTheWebFlagIsOff_ThenLoginIsRefusedWithTheGenericMessage_AndOpenSessionsEnd()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var http = await LoggedIn(c);
        var grain = cluster.Grains.Circuit(c.Account);
        var v = await grain.Get();
        await grain.Update(v!.Data with { Flags = v.Data.Flags with { Web = false } }, "test");
        var r = await http.GetAsync("/portal/faturas");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Contains("/portal/login", r.Headers.Location!.ToString(), StringComparison.Ordinal);
        var again = await PortalScenario.LoginAsync(Browser(), c.Account, c.Password);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("circuito ou senha inválidos", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenThePasswordIsWrongFiveTimes_ThenEvenTheRightOneIsRefusedForAWhile_WithTheSameMessage()
    {
        var c = await PortalScenario.CreateAsync(cluster, PortalScenario.AllOn);
        var http = Browser();
        string? first = null;
        for (var i = 0; i < 5; i++)
        {
            var r = await PortalScenario.LoginAsync(http, c.Account, "Errada" + i + "abc");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var html = await r.Content.ReadAsStringAsync();
            first ??= html[html.IndexOf("login-error", StringComparison.Ordinal)..];
        }
        var unknown = await (await PortalScenario.LoginAsync(Browser(), "99999999999", "Qualquer123")).Content.ReadAsStringAsync();
        var locked = await PortalScenario.LoginAsync(http, c.Account, c.Password);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        var lockedHtml = await locked.Content.ReadAsStringAsync();
        // one message for wrong password, unknown circuit and lockout
        Assert.StartsWith(first![..80], lockedHtml[lockedHtml.IndexOf("login-error", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.StartsWith(first[..80], unknown[unknown.IndexOf("login-error", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheCustomerChangesThePassword_ThenTheCurrentOneIsCheckedAndTheNewOneWorks()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var http = await LoggedIn(c);
        var wrong = await PortalScenario.PostFormAsync(http, "/portal/senha", "/portal/senha",
            new Dictionary<string, string> { ["atual"] = "NaoEhEssa123", ["nova"] = "NovaSenha123", ["confirmacao"] = "NovaSenha123" });
        Assert.Contains("Senha atual incorreta", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var weak = await PortalScenario.PostFormAsync(http, "/portal/senha", "/portal/senha",
            new Dictionary<string, string> { ["atual"] = c.Password, ["nova"] = "curta", ["confirmacao"] = "curta" });
        Assert.Contains("8 caracteres", WebUtility.HtmlDecode(await weak.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        var ok = await PortalScenario.PostFormAsync(http, "/portal/senha", "/portal/senha",
            new Dictionary<string, string> { ["atual"] = c.Password, ["nova"] = "NovaSenha123", ["confirmacao"] = "NovaSenha123" });
        Assert.Contains("Senha alterada", WebUtility.HtmlDecode(await ok.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.True(await cluster.Grains.Circuit(c.Account).AcceptsWebPasswordAsync("NovaSenha123"));
        Assert.False(await cluster.Grains.Circuit(c.Account).AcceptsWebPasswordAsync(c.Password));
    }

    [Fact]
    public async Task WhenTheCircuitHoldsDids_ThenTheOpenInvoiceTotalIncludesTheirFees()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var admin = cluster.AsAdmin();
        await Billing.Tests.Resellers.ResellerSeed.DidAsync(admin, null, c.Account, DateTimeOffset.UtcNow.AddHours(-2), fee: 12.34m);
        decimal didFees;
        await using (var cmd = cluster.Db.CreateCommand("SELECT sum(monthly_fee) FROM did_assignments WHERE account = @a AND active_to IS NULL"))
        {
            cmd.Parameters.AddWithValue("a", c.Account);
            didFees = (decimal)(await cmd.ExecuteScalarAsync())!;
        }
        Assert.True(didFees >= 12.34m);
        var view = await cluster.Grains.Circuit(c.Account).Get();
        var period = Billing.GrainInterfaces.Common.BillingPeriod.Of(DateTimeOffset.UtcNow, view!.Data.Invoice.ClosingDay).Key;
        var calls = (await cluster.Grains.Circuit(c.Account).GetPeriodTotals(period))?.Total ?? 0m;
        Assert.True(calls > 0m);

        using var http = await LoggedIn(c);
        var html = WebUtility.HtmlDecode(await (await http.GetAsync("/portal/faturas")).Content.ReadAsStringAsync());
        var total = Billing.GrainInterfaces.Common.Money.Format(calls + 37.50m + didFees);
        Assert.Contains($"<strong id=\"aberta-total\">{total}</strong>", html, StringComparison.Ordinal);
        Assert.Contains($"id=\"aberta-dids\">{Billing.GrainInterfaces.Common.Money.Format(didFees)}</td>", html, StringComparison.Ordinal);
        var home = WebUtility.HtmlDecode(await (await http.GetAsync("/portal")).Content.ReadAsStringAsync());
        Assert.Contains(total, home, StringComparison.Ordinal);
    }
}
