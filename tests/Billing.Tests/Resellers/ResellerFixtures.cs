using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Resellers;

/// <summary>Creates resellers, circuits with Gestão Web flags and DIDs through the real API.</summary>
internal static class ResellerSeed
{
    public static string NewDid() =>
        "+55114" + Random.Shared.Next(0, 10_000_000).ToString("D7", CultureInfo.InvariantCulture);

    public static async Task<long> ResellerAsync(HttpClient admin, string? nome = null, decimal didFee = 10m, decimal completion = 0.12m)
    {
        var r = await admin.PostAsJsonAsync("/api/resellers", new
        {
            nome = nome ?? "Revenda " + Guid.NewGuid().ToString("N")[..8],
            documento = Docs.Cnpj(),
            email = "financeiro@revenda.com.br",
            contatos = new[] { new { nome = "Ana", email = "ana@revenda.com.br", telefone = "11 99999-0000" } },
            didMonthlyFee = didFee,
            completionPricePerMinute = completion,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return (await r.JsonAsync()).GetProperty("id").GetInt64();
    }

    public static async Task<string> CircuitAsync(HttpClient admin, long customerId, string? planId,
        bool acb = false, bool blacklist = false, bool sigame = false)
    {
        var account = Seed.NewAccount();
        var r = await admin.PostAsJsonAsync("/api/circuits", new
        {
            account,
            name = "Circuito " + account,
            customerId,
            planId,
            areaCode = "11",
            billingMode = "prepaid",
            creditLimit = 0m,
            status = "ativo",
            flags = new { acb, blacklist, sigame },
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return account;
    }

    public static async Task<string> DidAsync(HttpClient admin, long? resellerId, string account, DateTimeOffset? activeFrom = null, decimal? fee = null)
    {
        var did = NewDid();
        var c = await admin.PostAsJsonAsync("/api/dids", new { number = did, resellerId, monthlyFee = fee });
        Assert.True(c.StatusCode == HttpStatusCode.Created, await c.Content.ReadAsStringAsync());
        var a = await admin.PostAsJsonAsync($"/api/dids/{Uri.EscapeDataString(did)}/assign", new { account, activeFrom });
        Assert.True(a.StatusCode == HttpStatusCode.OK, await a.Content.ReadAsStringAsync());
        return did;
    }

    public static async Task<JsonElement> InboundAsync(HttpClient sw, string callId, string did, string? caller, bool? collect = null)
    {
        var r = await sw.PostAsJsonAsync("/api/calls/authorize", new { callId, direction = "inbound", did, caller, collect });
        Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return await r.JsonAsync();
    }

    public static string? Reason(this JsonElement e) => e.TryGetProperty("reason", out var r) ? r.GetString() : null;

    public static bool Allowed(this JsonElement e) => e.GetProperty("allowed").GetBoolean();
}
