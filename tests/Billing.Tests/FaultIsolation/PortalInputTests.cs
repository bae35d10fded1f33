using System.Net;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Billing.Tests.Portal;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Billing.Tests.FaultIsolation;

/// <summary>Issue 15, items 1 and 2 on the customer portal: absurd date filters and control characters are a 400, never a 500.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PortalInputTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenThePortalGetsFarDatesOrControlCharacters_ThenItAnswers400AndNothingChanges()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        using var http = cluster.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalScenario.LoginAsync(http, c.Account, c.Password)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/portal/ligacoes/efetuadas?de=2026-01-01&ate=2026-12-31")).StatusCode);
        foreach (var url in new[]
                 {
                     "/portal/ligacoes/efetuadas?ate=9999-12-31", // was a 500: the day after overflows
                     "/portal/ligacoes/efetuadas?de=0001-01-01",
                     "/portal/ligacoes/recebidas?numero=11%00",
                 })
        {
            var r = await http.GetAsync(url);
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)r.StatusCode}");
        }

        var before = (await cluster.Grains.Circuit(c.Account).GetBlacklist())!.Count;
        var add = await PortalScenario.PostFormAsync(http, "/portal/blacklist", "/portal/blacklist?handler=Add",
            new Dictionary<string, string> { ["numero"] = "1198765\u00004321" });
        Assert.Equal(HttpStatusCode.BadRequest, add.StatusCode);
        Assert.Equal(before, (await cluster.Grains.Circuit(c.Account).GetBlacklist())!.Count);
    }
}
