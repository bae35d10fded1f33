using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Registration;

namespace Billing.Tests.Infrastructure;

/// <summary>Creates customers, plans and circuits through the real API and grains.</summary>
public static class Seed
{
    private static long _account = 70_000_000 + (DateTime.UtcNow.Ticks % 1_000_000) * 10;

    public static string NewAccount() => Interlocked.Increment(ref _account).ToString(CultureInfo.InvariantCulture);

    /// <summary>The first of <paramref name="count"/> consecutive account numbers nobody else in the run gets (batch ranges).</summary>
    public static long NewAccountRange(int count) => Interlocked.Add(ref _account, count) - count + 1;

    public static async Task<long> CustomerAsync(HttpClient admin, string? name = null)
    {
        var r = await admin.PostAsJsonAsync("/api/customers", new
        {
            nome = name ?? "Cliente " + Guid.NewGuid().ToString("N")[..8],
            documento = Docs.Cpf(),
            cep = "01310-100",
            uf = "SP",
            cidade = "São Paulo",
        });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>A plan where every paying type costs <paramref name="pricePerMinute"/> per second (1/1) unless a tariff is given.</summary>
    public static async Task<string> PlanAsync(IGrainFactory grains, decimal pricePerMinute = 0.10m, Tariff? localFixo = null)
    {
        var id = "p" + Guid.NewGuid().ToString("N")[..10];
        var per = Tariff.Simple(pricePerMinute, 1);
        var entries = ImmutableDictionary<CallType, PlanEntry>.Empty
            .Add(CallType.LocalFixo, PlanEntry.Of(localFixo ?? per))
            .Add(CallType.LocalMovel, PlanEntry.Of(per))
            .Add(CallType.LdnFixo, PlanEntry.Of(per))
            .Add(CallType.LdnMovel, PlanEntry.Of(per))
            .Add(CallType.Gratuito, PlanEntry.Of(Tariff.Free));
        await grains.GetGrain<IPlanGrain>("plan:" + id).Create("Plano " + id, DateTimeOffset.UtcNow.AddDays(-60), entries);
        return id;
    }

    public static async Task<string> CircuitAsync(HttpClient admin, long customerId, string? planId, object? extra = null,
        decimal creditLimit = 0m, string billingMode = "prepaid", string status = "ativo")
    {
        var account = NewAccount();
        var r = await admin.PostAsJsonAsync("/api/circuits", new
        {
            account,
            name = "Circuito " + account,
            customerId,
            planId,
            areaCode = "11",
            central = "SPX-DEMO-SW-CS-01",
            billingMode,
            creditLimit,
            status,
        });
        Assert.True(r.StatusCode == HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        return account;
    }

    /// <summary>A prepaid circuit of a new customer on a new per-second plan, with <paramref name="credit"/> loaded.</summary>
    public static async Task<(string Account, HttpClient Admin, HttpClient Switch)> PrepaidCircuitAsync(
        ClusterFixture cluster, decimal credit, decimal price = 0.10m)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var admin = cluster.AsAdmin();
        var customer = await CustomerAsync(admin);
        var plan = await PlanAsync(cluster.Grains, price);
        var account = await CircuitAsync(admin, customer, plan);
        if (credit != 0) await CreditAsync(admin, account, credit);
        return (account, admin, cluster.AsSwitch());
    }

    public static async Task CreditAsync(HttpClient admin, string account, decimal amount)
    {
        var r = await admin.PostAsJsonAsync($"/api/circuits/{account}/credits",
            new { amount, description = "Recarga de teste", idempotencyKey = Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage r) =>
        await r.Content.ReadFromJsonAsync<JsonElement>();
}
