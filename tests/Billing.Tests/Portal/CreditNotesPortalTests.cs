using System.Net;
using System.Net.Http.Json;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using UglyToad.PdfPig;

namespace Billing.Tests.Portal;

/// <summary>The customer sees the credit notes of the circuit's invoices in the portal's Faturas, with their PDF; nobody else does.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CreditNotesPortalTests(ClusterFixture cluster)
{
    private async Task<HttpClient> LoggedIn(PortalCircuit c)
    {
        var http = cluster.Api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        Assert.Equal(HttpStatusCode.Redirect, (await PortalScenario.LoginAsync(http, c.Account, c.Password)).StatusCode);
        return http;
    }

    [Fact]
    public async Task WhenAnIssuedInvoiceIsCredited_ThenThePortalHistoryListsTheNote_AndOnlyItsCircuitDownloadsIt()
    {
        var c = await PortalScenario.CreateAsync(cluster);
        var admin = cluster.AsAdmin();
        var created = await admin.PostAsJsonAsync($"/api/invoices/{c.IssuedInvoiceId}/credit-notes",
            new { amount = 5.00m, reason = "Cortesia pela parada de domingo", idempotencyKey = Guid.NewGuid().ToString("N") });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var note = await created.JsonAsync();
        var number = note.GetProperty("documentNumber").GetString()!;
        var noteId = note.GetProperty("id").GetInt64();

        var http = await LoggedIn(c);
        var html = await (await http.GetAsync("/portal/faturas")).Content.ReadAsStringAsync();
        Assert.Contains($"data-nota=\"{number}\"", html, StringComparison.Ordinal);
        Assert.Contains("Cortesia pela parada de domingo", html, StringComparison.Ordinal);
        var pdf = await http.GetAsync($"/portal/faturas/notas/{noteId}/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        using (var doc = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync()))
            Assert.Contains(number, string.Join(" ", doc.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text)), StringComparison.Ordinal);

        var other = await LoggedIn(await PortalScenario.CreateAsync(cluster));
        Assert.DoesNotContain(number, await (await other.GetAsync("/portal/faturas")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/portal/faturas/notas/{noteId}/pdf")).StatusCode);
    }
}
