using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;
using Billing.Tests.Resellers;

namespace Billing.Tests.Portal;

/// <summary>A circuit ready for the portal: Senha Web, flags, calls now and in the last two periods, an issued invoice
/// (previous-but-one period, ABERTO), a draft (previous period, RASCUNHO) and one DID.</summary>
public sealed record PortalCircuit(string Account, long CustomerId, string Password, long IssuedInvoiceId, long DraftInvoiceId, string Did);

public static partial class PortalScenario
{
    public static WebFlags AllOn { get; } = new()
    {
        Acb = true, Blacklist = true, Faturas = true, Grafico = true, Mensagem = true, Perfil = true, Sigame = true, Tabela = true, Web = true,
    };

    public static async Task<PortalCircuit> CreateAsync(ClusterFixture cluster, WebFlags? flags = null)
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Residência do Sr. Portal " + Guid.NewGuid().ToString("N")[..4]);
        var planId = "pp" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.ThirtySix(0.12m);
        await cluster.Grains.GetGrain<IPlanGrain>("plan:" + planId).Create("Plano Portal", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ImmutableDictionary<CallType, PlanEntry>.Empty
                .Add(CallType.LocalFixo, PlanEntry.Of(per)).Add(CallType.LocalMovel, PlanEntry.Of(Tariff.ThirtySix(0.45m)))
                .Add(CallType.LdnFixo, PlanEntry.Of(Tariff.ThirtySix(0.20m))).Add(CallType.LdnMovel, PlanEntry.Of(Tariff.ThirtySix(0.60m))));
        var account = await Seed.CircuitAsync(admin, customer, planId);
        await Seed.CreditAsync(admin, account, 1000m);
        var grain = cluster.Grains.Circuit(account);
        var view = await grain.Get();
        var up = await grain.Update(view!.Data with
        {
            Flags = flags ?? AllOn,
            Invoice = view.Data.Invoice with { ClosingDay = 1, MonthlyFee = 37.50m },
        }, "test");
        Assert.True(up.IsOk, up.Message);
        var password = "Senha" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "web";
        Assert.True((await grain.SetWebPassword(password, "test")).IsOk);

        var now = DateTimeOffset.UtcNow;
        var issuedPeriod = BillingPeriod.Of(now.AddMonths(-2)).Key;
        var draftPeriod = BillingPeriod.Of(now.AddMonths(-1)).Key;
        await CallsAsync(grain, account, "old", PeriodMiddle(issuedPeriod), 4);
        await CallsAsync(grain, account, "prev", PeriodMiddle(draftPeriod), 3);
        await CallsAsync(grain, account, "now", now.AddMinutes(-30), 5);

        var issued = await GenerateAsync(admin, issuedPeriod, account);
        var st = await admin.PostAsJsonAsync($"/api/invoices/{issued}/status", new { status = "ABERTO", notifyCustomer = false });
        Assert.True(st.StatusCode == HttpStatusCode.OK, await st.Content.ReadAsStringAsync());
        var draft = await GenerateAsync(admin, draftPeriod, account);
        var did = await ResellerSeed.DidAsync(admin, null, account, now.AddDays(-1));
        return new PortalCircuit(account, customer, password, issued, draft, did);
    }

    private static DateTimeOffset PeriodMiddle(string period) =>
        DateTimeOffset.ParseExact(period + "-10T12:00:00-03:00", "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static async Task CallsAsync(ICircuitGrain grain, string account, string tag, DateTimeOffset start, int count)
    {
        string[] destinations = ["1133334444", "11988887777", "2133334444", "21988887777"];
        for (var i = 0; i < count; i++)
        {
            var inbound = i == count - 1;
            var r = await grain.Complete(new CompleteRequest
            {
                CallId = $"portal-{account}-{tag}-{i}",
                DurationSeconds = 45 + i * 17,
                Destination = inbound ? "1140001234" : destinations[i % destinations.Length],
                Caller = inbound ? "11987654321" : null,
                Direction = inbound ? CallDirection.Inbound : CallDirection.Outbound,
                StartedAt = start.AddMinutes(i),
                Source = "import",
            });
            Assert.True(r.Ok, $"{r.Status} {r.Field} {r.Reason}");
        }
    }

    private static async Task<long> GenerateAsync(HttpClient admin, string period, string account)
    {
        var r = await admin.PostAsJsonAsync("/api/invoices/generate", new { period, account });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("results")[0].GetProperty("invoiceId").GetInt64();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenRegex();

    /// <summary>The antiforgery token of the first form on the page.</summary>
    public static string Token(string html)
    {
        var m = TokenRegex().Match(html);
        Assert.True(m.Success, "página sem token antiforgery");
        return m.Groups[1].Value;
    }

    /// <summary>GET the page, then POST its form with the antiforgery token and the given fields.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string pageUrl, string postUrl, IDictionary<string, string> fields)
    {
        var page = await http.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = Token(await page.Content.ReadAsStringAsync());
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return await http.PostAsync(postUrl, new FormUrlEncodedContent(form));
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient http, string account, string password) =>
        PostFormAsync(http, "/portal/login", "/portal/login", new Dictionary<string, string> { ["circuito"] = account, ["senha"] = password });
}
