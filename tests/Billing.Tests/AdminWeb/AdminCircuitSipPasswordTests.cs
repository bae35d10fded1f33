using System.Net;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>The admin circuit page sets the Senha SIP (a password input) and only ever says whether one is set.</summary>
public sealed partial class AdminHttpTests
{
    [Fact]
    public async Task WhenTheAdminSetsASipPasswordOnTheCircuitPage_ThenABadOneNamesTheFieldAndAGoodOneIsKeptButNeverShown()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await LoginAsync(http);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        var url = $"/admin/circuitos/{account}";

        var page = WebUtility.HtmlDecode(await http.GetStringAsync(url));
        Assert.Contains("id=\"sipPassword\"", page, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"senha-sip\">não definida</dd>", page, StringComparison.Ordinal);

        Dictionary<string, string> Form(string token, string sipPassword) => new()
        {
            ["Input.Name"] = "Circuito " + account, ["Input.CustomerId"] = customer.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.AreaCode"] = "11", ["Input.BillingMode"] = "Prepaid", ["Input.Status"] = "Ativo", ["Input.ClosingDay"] = "1",
            ["Input.DueDays"] = "10", ["Input.SipPassword"] = sipPassword, ["__RequestVerificationToken"] = token,
        };
        var bad = await http.PostAsync(url, new FormUrlEncodedContent(Form(await TokenAsync(http, url), "curta")));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var badHtml = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("aria-invalid=\"true\"", badHtml[badHtml.IndexOf("id=\"sipPassword\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("senha SIP precisa ter pelo menos 8", badHtml, StringComparison.Ordinal);
        Assert.Null(await cluster.Grains.Circuit(account).GetSipHa1(SipPassword.DefaultRealm));

        const string password = "Pagina-Sip-2026";
        var ok = await http.PostAsync(url, new FormUrlEncodedContent(Form(await TokenAsync(http, url), password)));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal(SipPassword.Ha1(account, SipPassword.DefaultRealm, password),
            await cluster.Grains.Circuit(account).GetSipHa1(SipPassword.DefaultRealm));
        page = WebUtility.HtmlDecode(await http.GetStringAsync(url));
        Assert.Contains("<dd id=\"senha-sip\">definida</dd>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(password, page, StringComparison.Ordinal);
        Assert.DoesNotContain(SipPassword.Ha1(account, SipPassword.DefaultRealm, password), page, StringComparison.Ordinal);
    }
}
