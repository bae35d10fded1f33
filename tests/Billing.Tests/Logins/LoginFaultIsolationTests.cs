using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.AdminWeb;
using Billing.Tests.Infrastructure;
using Billing.Tests.Portal;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Billing.Tests.Logins;

/// <summary>
/// Issue 15, logins and sessions: the lockout is atomic across API hosts, password hashing never runs in a circuit
/// grain, forwarded headers only from configured proxies, sessions end on password change / web off / admin disabled,
/// Data Protection keys shared by every host, and login names a database cannot hold get a clean refusal.
/// Failing attempts go through <see cref="ProxiedApiHost"/> with their own forwarded address, so they never count
/// against the address other tests log in from.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LoginFaultIsolationTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const int AllowedGuesses = 5;

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string pageUrl, string postUrl, IDictionary<string, string> fields)
    {
        var page = await http.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = PortalScenario.Token(await page.Content.ReadAsStringAsync()) };
        return await http.PostAsync(postUrl, new FormUrlEncodedContent(form));
    }

    private static Task<HttpResponseMessage> AdminLoginAsync(HttpClient http, string user, string password) =>
        PostFormAsync(http, "/admin/login", "/admin/login", new Dictionary<string, string> { ["Usuario"] = user, ["Senha"] = password });

    private async Task<(string Account, string Password)> PortalCircuitAsync()
    {
        var admin = cluster.AsAdmin();
        var account = await Seed.CircuitAsync(admin, await Seed.CustomerAsync(admin), null);
        var password = "Portal" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "web";
        Assert.True((await cluster.Grains.Circuit(account).SetWebPassword(password, "test")).IsOk);
        return (account, password);
    }

    [Fact]
    public async Task WhenABurstOfParallelWrongPasswordsHitsOneAdminFromTwoHosts_ThenAtMostTheAllowedNumberIsChecked()
    {
        var hostA = await AdminWebServer.ForAsync(cluster);
        var hostB = await ProxiedApiHost.ForAsync(cluster);
        var user = NewName("rajada");
        var a = hostA.Services.GetRequiredService<AdminUsers>();
        var b = hostB.Services.GetRequiredService<AdminUsers>();
        Assert.Null(await a.CreateAsync(user, "Rajada", "Certa-senha-2026", "teste"));

        // 40 guesses at once, half on each API host, each from its own address
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? a : b).LoginAsync(user, "errada-" + i.ToString(CultureInfo.InvariantCulture), ProxiedApiHost.NewClientIp(), default)));
        var checkedAndWrong = outcomes.Count(o => o.Status == LoginStatus.Invalid);
        // the attempt that reaches the limit answers Throttled itself, so at most limit − 1 answer Invalid
        Assert.InRange(checkedAndWrong, 1, AllowedGuesses - 1);
        Assert.All(outcomes, o => Assert.NotEqual(LoginStatus.Ok, o.Status));
        // locked on both hosts, even with the right password
        Assert.Equal(LoginStatus.Throttled, (await a.LoginAsync(user, "Certa-senha-2026", ProxiedApiHost.NewClientIp(), default)).Status);
        Assert.Equal(LoginStatus.Throttled, (await b.LoginAsync(user, "Certa-senha-2026", ProxiedApiHost.NewClientIp(), default)).Status);
    }

    [Fact]
    public async Task WhenManyPortalLoginsRunForACircuit_ThenItsGrainCallsDoNotWaitBehindThem()
    {
        var web = await ProxiedApiHost.ForAsync(cluster);
        var (account, password) = await PortalCircuitAsync();
        var (control, _) = await PortalCircuitAsync();
        var grain = cluster.Grains.Circuit(account);
        var other = cluster.Grains.Circuit(control);
        await grain.GetBalance();
        await other.GetBalance();
        var hash = Stopwatch.StartNew();
        WebPassword.Hash("medida-do-custo-1");
        var oneHash = hash.Elapsed;

        // rounds of 5 parallel logins (the lockout lets at most 5 attempts of one name be checked at a time)
        const int rounds = 3;
        const int perRound = 5;
        var ip = ProxiedApiHost.NewClientIp();
        var answers = new List<HttpResponseMessage>();
        async Task LoginRoundsAsync()
        {
            for (var round = 0; round < rounds; round++)
            {
                var clients = Enumerable.Range(0, perRound).Select(_ => web.Http(ip)).ToList();
                var pages = await Task.WhenAll(clients.Select(c => c.GetStringAsync("/portal/login")));
                answers.AddRange(await Task.WhenAll(clients.Select((c, i) => c.PostAsync("/portal/login", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["circuito"] = account, ["senha"] = password, ["__RequestVerificationToken"] = PortalScenario.Token(pages[i]),
                })))));
                foreach (var c in clients) c.Dispose();
            }
        }
        var posts = LoginRoundsAsync();
        var own = new List<double>();
        var others = new List<double>();
        while (!posts.IsCompleted)
        {
            static async Task<double> TimedAsync(ICircuitGrain g)
            {
                var sw = Stopwatch.StartNew();
                await g.GetBalance();
                return sw.Elapsed.TotalMilliseconds;
            }
            var t1 = TimedAsync(grain);
            var t2 = TimedAsync(other);
            own.Add(await t1);
            others.Add(await t2);
            await Task.Delay(5);
        }
        await posts;
        Assert.All(answers, r => Assert.Equal(HttpStatusCode.Redirect, r.StatusCode));
        output.WriteLine($"one PBKDF2: {oneHash.TotalMilliseconds:F0} ms; {rounds * perRound} logins; circuit max {own.Max():F0} ms (n={own.Count}), other circuit max {others.Max():F0} ms");
        // a circuit whose logins ran in its own turn waits for the queued hashes (several PBKDF2s);
        // here both circuits see only the machine's load
        // (both are measured at the same moments, so the machine's load shows in both alike)
        Assert.True(own.Max() <= others.Max() + oneHash.TotalMilliseconds + 10,
            $"circuit calls waited {own.Max():F0} ms during logins (other circuit {others.Max():F0} ms, one hash {oneHash.TotalMilliseconds:F0} ms)");
    }

    [Fact]
    public async Task WhenNoProxyIsConfigured_ThenForwardedHeadersAreNotTrusted()
    {
        var web = await AdminWebServer.ForAsync(cluster); // no Billing:ForwardedHeaders
        using var http = web.Http();
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var login = await AdminLoginAsync(http, AdminWebServer.User, AdminWebServer.Password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("billing-admin=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WhenBehindAConfiguredProxy_ThenTheForwardedAddressCountsAndCookiesAreSecure()
    {
        var web = await ProxiedApiHost.ForAsync(cluster);
        var ip = ProxiedApiHost.NewClientIp();
        using var http = web.Http(ip);
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var user = NewName("proxy");
        Assert.Null(await web.Services.GetRequiredService<AdminUsers>().CreateAsync(user, "Proxy", "Certa-senha-2026", "teste"));
        var wrong = await AdminLoginAsync(http, user, "errada-123");
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var guard = await cluster.Grains.GetGrain<GrainInterfaces.Logins.ILoginGuardGrain>(GrainInterfaces.Logins.LoginKeys.Address(ip)).Get();
        Assert.Equal(1, guard.Failures); // counted against the client behind the proxy, not against the proxy
        var ok = await AdminLoginAsync(http, user, "Certa-senha-2026");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("billing-admin=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WhenTheSenhaWebChanges_ThenOpenPortalSessionsEndOnEveryHost()
    {
        var web = await ProxiedApiHost.ForAsync(cluster);
        var (account, password) = await PortalCircuitAsync();
        using var onA = cluster.Api.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        using var onB = web.Http(ProxiedApiHost.NewClientIp());
        Assert.Equal(HttpStatusCode.Redirect, (await PortalScenario.LoginAsync(onA, account, password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PortalScenario.LoginAsync(onB, account, password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/portal")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/portal")).StatusCode);

        // the operator sets a new Senha Web through host A's admin API
        var set = await cluster.AsAdmin().PutAsJsonAsync($"/api/circuits/{account}/web-password", new { password = "Trocada-2026x" });
        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        var a = await onA.GetAsync("/portal");
        Assert.Equal(HttpStatusCode.Redirect, a.StatusCode); // at once on the host that made the change
        Assert.Contains("/portal/login", a.Headers.Location!.ToString(), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // host B rechecks after Billing:Sessions:RecheckSeconds (1 s here)
        Assert.Equal(HttpStatusCode.Redirect, (await onB.GetAsync("/portal")).StatusCode);
        // the new password opens a session
        Assert.Equal(HttpStatusCode.Redirect, (await PortalScenario.LoginAsync(onB, account, "Trocada-2026x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/portal")).StatusCode);
    }

    [Fact]
    public async Task WhenAnAdminChangesThePasswordOrIsDisabled_ThenTheirOtherSessionsEnd()
    {
        var web = await ProxiedApiHost.ForAsync(cluster);
        var user = NewName("sessao");
        Assert.Null(await web.Services.GetRequiredService<AdminUsers>().CreateAsync(user, "Sessão", "Primeira-senha-1", "teste"));
        using var first = web.Http(ProxiedApiHost.NewClientIp());
        using var second = web.Http(ProxiedApiHost.NewClientIp());
        Assert.Equal(HttpStatusCode.Redirect, (await AdminLoginAsync(first, user, "Primeira-senha-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await AdminLoginAsync(second, user, "Primeira-senha-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/admin/clientes")).StatusCode);

        var change = await PostFormAsync(first, "/admin/administradores", "/admin/administradores?handler=senha",
            new Dictionary<string, string> { ["SenhaAtual"] = "Primeira-senha-1", ["MinhaNovaSenha"] = "Segunda-senha-2" });
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/admin/clientes")).StatusCode); // the session that changed it goes on
        Assert.Equal(HttpStatusCode.Redirect, (await second.GetAsync("/admin/clientes")).StatusCode);

        // disabled (by the database, as an operator would): the remaining session ends within the recheck time
        await using (var cmd = cluster.Db.CreateCommand("UPDATE admin_users SET disabled = true WHERE username = @u"))
        {
            cmd.Parameters.AddWithValue("u", user);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = await first.GetAsync("/admin/clientes");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/admin/login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenACookieAndAFormTokenFromOneHostReachAnother_ThenTheyWork_BecauseTheKeysAreInPostgres()
    {
        var hostA = await AdminWebServer.ForAsync(cluster);
        var hostB = await ProxiedApiHost.ForAsync(cluster);
        using var onA = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(hostA.BaseUrl) };
        using var onB = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(hostB.BaseUrl) };
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        void Keep(HttpResponseMessage r)
        {
            if (!r.Headers.TryGetValues("Set-Cookie", out var set)) return;
            foreach (var c in set)
            {
                var pair = c.Split(';')[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                jar[pair[..eq]] = pair[(eq + 1)..];
            }
        }
        HttpRequestMessage Req(HttpMethod m, string url, HttpContent? body = null)
        {
            var r = new HttpRequestMessage(m, url) { Content = body };
            if (jar.Count > 0) r.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", jar.Select(kv => kv.Key + "=" + kv.Value)));
            return r;
        }

        // log in on host A
        var page = await onA.SendAsync(Req(HttpMethod.Get, "/admin/login"));
        Keep(page);
        var login = await onA.SendAsync(Req(HttpMethod.Post, "/admin/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Usuario"] = AdminWebServer.User, ["Senha"] = AdminWebServer.Password,
            ["__RequestVerificationToken"] = PortalScenario.Token(await page.Content.ReadAsStringAsync()),
        })));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Keep(login);
        // the session cookie works on host B
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(Req(HttpMethod.Get, "/admin/clientes"))).StatusCode);
        // a form rendered by host A is accepted by host B (antiforgery)
        var form = await onA.SendAsync(Req(HttpMethod.Get, "/admin/clientes"));
        Keep(form);
        var token = PortalScenario.Token(await form.Content.ReadAsStringAsync());
        var logout = await onB.SendAsync(Req(HttpMethod.Post, "/admin/sair",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM data_protection_keys");
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 1);
    }

    [Theory]
    [InlineData("adm\0in")]
    [InlineData("admin\u0007")]
    [InlineData("\u001b[31madmin")]
    [InlineData("long")]
    public async Task WhenAnAdminLoginNameHasControlCharactersOrIsTooLong_ThenItIsRefusedCleanly(string name)
    {
        if (name == "long") name = new string('a', 5000);
        var web = await ProxiedApiHost.ForAsync(cluster);
        // the login itself: refused like a wrong password, without asking PostgreSQL (a NUL there is error 22021)
        var users = web.Services.GetRequiredService<AdminUsers>();
        Assert.Equal(LoginStatus.Invalid, (await users.LoginAsync(name, "Qualquer-senha-1", ProxiedApiHost.NewClientIp(), default)).Status);

        using var http = web.Http(ProxiedApiHost.NewClientIp());
        var r = await AdminLoginAsync(http, name, "Qualquer-senha-1");
        var body = WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
        if (Billing.GrainInterfaces.Common.InputRules.HasForbiddenCharacters(name))
        {
            // control characters in a form are refused before the page runs (ASP.NET's form reader for NUL, the
            // pages' input guard for the rest): 400, never 500, and never a password check
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            return;
        }
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("Usuário ou senha inválidos.", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("80\0103")]
    [InlineData("8010\u0085")]
    [InlineData("long")]
    public async Task WhenAPortalLoginNameHasControlCharactersOrIsTooLong_ThenItIsRefusedCleanly(string name)
    {
        if (name == "long") name = new string('9', 5000);
        var web = await ProxiedApiHost.ForAsync(cluster);
        using var http = web.Http(ProxiedApiHost.NewClientIp());
        var r = await PortalScenario.LoginAsync(http, name, "Qualquer123");
        if (Billing.GrainInterfaces.Common.InputRules.HasForbiddenCharacters(name))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode); // refused before the page runs, never 500
            return;
        }
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("circuito ou senha inválidos", WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }
}
