using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Billing.Tests.Resellers;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// /admin/revendas, /admin/dids and Faturas Fechadas Revenda in Debian's Chromium (Playwright), against the API on Kestrel
/// and the shared cluster; what the pages did is read back through the REST API. Screenshots under TestResults/screenshots.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ResellerScreensBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    [Fact]
    public async Task WhenAResellerIsCreatedWithAContactAndFees_ThenTheApiHasThem_AndACustomerIsLinked()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/revendas");
        await page.ClickAsync("#nova-revenda");
        await page.WaitForURLAsync("**/admin/revendas/novo");
        var nome = "Revenda Tela " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#nome", nome);
        await page.FillAsync("#documento", Docs.Cnpj());
        await page.FillAsync("#email", "financeiro@revenda-tela.com.br");
        await page.FillAsync("#didMonthlyFee", "doze");           // not a number
        await page.FillAsync("#completionPricePerMinute", "0,15");
        await page.FillAsync("#contato-0-email", "ana@revenda-tela.com.br"); // a contact without a name
        await page.ClickAsync("#salvar");

        await page.Locator("#err-didMonthlyFee").WaitForAsync();
        Assert.Equal("true", await page.GetAttributeAsync("#didMonthlyFee", "aria-invalid"));
        Assert.Equal(nome, await page.InputValueAsync("#nome")); // what was typed is kept
        await page.FillAsync("#didMonthlyFee", "12,50");
        await page.ClickAsync("#salvar");
        // now the contact's missing name is said next to it (the grain's rules, field contatos[0].nome)
        var contactError = page.Locator("div:has(> #contato-0-nome) > #err-contatos-0--nome");
        await contactError.WaitForAsync();
        await Shot(page, "revenda-erro-contato");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM resellers WHERE nome = @p", nome)); // nothing saved yet

        await page.FillAsync("#contato-0-nome", "Ana Financeiro");
        await page.FillAsync("#contato-0-telefone", "(11) 98888-7777");
        await page.ClickAsync("#salvar");
        await page.WaitForURLAsync(new Regex(@"/admin/revendas/\d+$"));
        Assert.Contains("cadastrada", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);

        var saved = await (await admin.GetAsync($"/api/resellers/{id}")).JsonAsync();
        Assert.Equal(nome, saved.GetProperty("nome").GetString());
        Assert.Equal(12.50m, saved.GetProperty("didMonthlyFee").GetDecimal());
        Assert.Equal(0.15m, saved.GetProperty("completionPricePerMinute").GetDecimal());
        var contato = Assert.Single(saved.GetProperty("contatos").EnumerateArray());
        Assert.Equal("Ana Financeiro", contato.GetProperty("nome").GetString());
        Assert.Equal("ana@revenda-tela.com.br", contato.GetProperty("email").GetString());
        Assert.Equal("12,50", await page.InputValueAsync("#didMonthlyFee"));
        Assert.Equal(1, await page.Locator("#contatos-salvos td:has-text('Ana Financeiro')").CountAsync());

        // a second contact through the blank row, and the fee changed
        await page.FillAsync("#contato-1-nome", "Bruno Técnico");
        await page.FillAsync("#contato-1-cargo", "NOC");
        await page.FillAsync("#didMonthlyFee", "13,00");
        await page.ClickAsync("#salvar");
        await page.Locator("#contatos-salvos td:has-text('Bruno Técnico')").WaitForAsync();
        saved = await (await admin.GetAsync($"/api/resellers/{id}")).JsonAsync();
        Assert.Equal(2, saved.GetProperty("contatos").GetArrayLength());
        Assert.Equal(13.00m, saved.GetProperty("didMonthlyFee").GetDecimal());

        // its customers: a customer code that does not exist is refused next to the field, a real one is linked
        var customerName = "Cliente da Revenda " + Guid.NewGuid().ToString("N")[..6];
        var customer = await Seed.CustomerAsync(admin, customerName);
        await page.FillAsync("#clienteId", "999999999");
        await page.ClickAsync("#vincular");
        await page.Locator("#err-customerId").WaitForAsync();
        await page.FillAsync("#clienteId", customer.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("#vincular");
        await page.Locator($"#clientes-revenda td:has-text('{customerName}')").WaitForAsync();
        var customers = await (await admin.GetAsync($"/api/resellers/{id}/customers")).JsonAsync();
        Assert.Equal(customer, Assert.Single(customers.EnumerateArray()).GetProperty("id").GetInt64());
        await Shot(page, "revenda-editar");

        await page.GotoAsync("/admin/revendas?busca=" + Uri.EscapeDataString(nome));
        Assert.Equal(1, await page.Locator($"td a:has-text('{nome}')").CountAsync());
        await Shot(page, "revendas");

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync($"/admin/revendas/{id}");
        await Shot(phone, "revenda-celular");
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenADidRangeIsAddedAndOneIsAssignedThenReleased_ThenTheHistoryShowsBoth()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var revenda = "Revenda DIDs " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, revenda, didFee: 9.90m);
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        var first = long.Parse(ResellerSeed.NewDid().AsSpan(1), CultureInfo.InvariantCulture);
        var numbers = Enumerable.Range(0, 5).Select(i => "+" + (first + i).ToString(CultureInfo.InvariantCulture)).ToList();

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/dids");
        await page.ClickAsync("#adicionar summary");
        await page.CheckAsync("#modo-faixa");
        // a range from the larger to the smaller number is refused next to the range, nothing created
        await page.FillAsync("#de", numbers[4]);
        await page.FillAsync("#ate", numbers[0]);
        await page.SelectOptionAsync("#nova-revenda", reseller.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("#adicionar-dids");
        await page.Locator("#err-range").WaitForAsync();
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM dids WHERE number = ANY(@p)", numbers.ToArray()));
        await Shot(page, "dids-faixa-invalida");

        await page.FillAsync("#de", numbers[0]);
        await page.FillAsync("#ate", numbers[4]);
        await page.ClickAsync("#adicionar-dids");
        await page.Locator("[role=status]").WaitForAsync();
        Assert.Contains("5 DID(s) cadastrado(s)", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        await page.GotoAsync($"/admin/dids?revenda={reseller}");
        Assert.Equal(numbers, await page.Locator("#lista-dids tbody td:first-child a").AllTextContentsAsync());
        Assert.Equal(5, await page.Locator($"#lista-dids td:has-text('{revenda}')").CountAsync());
        await Shot(page, "dids");

        // assign one to the circuit
        var did = numbers[2];
        await page.ClickAsync($"#lista-dids a:text-is('{did}')");
        await page.WaitForURLAsync("**/admin/dids/**");
        await page.FillAsync("#circuito", "99999999999"); // no such circuit
        await page.ClickAsync("#atribuir");
        await page.Locator("#err-account").WaitForAsync();
        await page.FillAsync("#circuito", account);
        await page.ClickAsync("#atribuir");
        await page.Locator("#aviso").WaitForAsync();
        Assert.Equal("Em serviço", (await page.TextContentAsync("#did-situacao"))?.Trim());
        Assert.Equal(account, (await page.TextContentAsync("#did-circuito"))?.Trim());
        var assigned = await (await admin.GetAsync($"/api/dids/{Uri.EscapeDataString(did)}")).JsonAsync();
        Assert.Equal(account, assigned.GetProperty("did").GetProperty("account").GetString());
        Assert.True(assigned.GetProperty("active").GetBoolean());

        // ACB on
        await page.CheckAsync("#acb");
        await page.ClickAsync("#salvar-configuracoes");
        await page.Locator("#aviso:has-text('Configurações')").WaitForAsync();
        Assert.True((await (await admin.GetAsync($"/api/dids/{Uri.EscapeDataString(did)}")).JsonAsync())
            .GetProperty("did").GetProperty("acceptsCollect").GetBoolean());
        await Shot(page, "did-atribuido");

        // release, behind the confirmation dialog: Cancelar keeps it, Liberar releases it
        await page.ClickAsync("#liberar");
        var dialog = page.Locator("#confirmar-liberar");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains(account, await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "did-liberar-dialogo");
        await page.ClickAsync("#confirmar-liberar [data-fechar]");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        Assert.Equal(account, (await (await admin.GetAsync($"/api/dids/{Uri.EscapeDataString(did)}")).JsonAsync())
            .GetProperty("did").GetProperty("account").GetString());
        await page.ClickAsync("#liberar");
        await page.ClickAsync("#confirmar-liberacao");
        await page.Locator("#aviso:has-text('liberado')").WaitForAsync();
        Assert.Equal("Livre", (await page.TextContentAsync("#did-situacao"))?.Trim());

        // the history: one assignment, assigned and released by the admin
        var row = page.Locator("#historico-did tbody tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal(account, (await row.Locator("td").First.TextContentAsync())?.Trim());
        Assert.Equal(AdminWebServer.User, (await row.Locator(".atribuido-por").TextContentAsync())?.Trim());
        Assert.Equal(AdminWebServer.User, (await row.Locator(".liberado-por").TextContentAsync())?.Trim());
        Assert.Matches(@"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$", (await row.Locator("td:nth-child(4)").TextContentAsync())?.Trim()); // assigned at
        Assert.Matches(@"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$", (await row.Locator("td:nth-child(6)").TextContentAsync())?.Trim()); // released at
        var history = await (await admin.GetAsync($"/api/dids/{Uri.EscapeDataString(did)}/history")).JsonAsync();
        var a = Assert.Single(history.GetProperty("assignments").EnumerateArray());
        Assert.Equal(AdminWebServer.User, a.GetProperty("assignedBy").GetString());
        Assert.Equal(AdminWebServer.User, a.GetProperty("releasedBy").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.String, a.GetProperty("activeTo").ValueKind);
        await Shot(page, "did-historico");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheClosedInvoicesAreComparedWithAnotherMonth_ThenListaDidsSaldoDoDiaAndTheComparedMonthShow_InTheCsvToo()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var sw = cluster.AsSwitch();
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, SaoPaulo);
        var current = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        var older = current.AddMonths(-5); // a month no test closes (the cluster closes only the previous one)
        DateTimeOffset At(DateTime month, int day, int hour) =>
            new(month.AddDays(day - 1).AddHours(hour), SaoPaulo.GetUtcOffset(month.AddDays(day - 1)));

        var name = "Revenda Comparada " + Guid.NewGuid().ToString("N")[..6];
        var reseller = await ResellerSeed.ResellerAsync(admin, name, didFee: 10m, completion: 0.12m);
        var customer = await Seed.CustomerAsync(admin);
        var account = await ResellerSeed.CircuitAsync(admin, customer, null);
        var did1 = await ResellerSeed.DidAsync(admin, reseller, account, activeFrom: At(older, 2, 12)); // in service since then
        var did2 = await ResellerSeed.DidAsync(admin, reseller, account);                               // from now
        // older month: one inbound minute on did1 → 0,12; this month: 120 s on did2 → 0,24
        var cdr = await sw.PostAsJsonAsync($"/api/calls/cdr-{Guid.NewGuid():N}/complete", new
        {
            durationSeconds = 60, account, destination = did1, direction = "inbound", startedAt = At(older, 5, 10),
        });
        Assert.True(cdr.StatusCode == HttpStatusCode.OK, await cdr.Content.ReadAsStringAsync());
        var callId = "tela-" + Guid.NewGuid().ToString("N");
        Assert.True((await ResellerSeed.InboundAsync(sw, callId, did2, "1155556666")).Allowed());
        (await sw.PostAsJsonAsync($"/api/calls/{callId}/complete", new { durationSeconds = 120 })).EnsureSuccessStatusCode();

        var page = await web.LoggedInPageAsync();
        var currentKey = current.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var olderKey = older.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var olderLabel = older.ToString("MM/yyyy", CultureInfo.InvariantCulture);
        await page.GotoAsync($"/admin/revendas/faturas?referencia={currentKey}&busca={Uri.EscapeDataString(name)}");
        var rowSel = $"#revenda-{reseller}";
        Assert.Equal("20,24", (await page.TextContentAsync($"{rowSel} .saldo"))?.Trim()); // 2 DIDs × 10,00 + 0,24
        Assert.Contains("Saldo do dia (R$)", await page.TextContentAsync("#faturas-revenda thead") ?? "", StringComparison.Ordinal);
        Assert.Contains("Lista DIDs", await page.TextContentAsync("#faturas-revenda thead") ?? "", StringComparison.Ordinal);

        // Lista DIDs: the reseller's numbers open under the row
        await page.ClickAsync($"{rowSel} .lista-dids summary");
        var listed = await page.Locator($"{rowSel} .lista-dids li").AllTextContentsAsync();
        Assert.Equal(new[] { did1, did2 }.Order(StringComparer.Ordinal), listed);
        await Shot(page, "revendas-faturas-lista-dids");

        // a month to compare with, side by side
        await page.SelectOptionAsync("#comparar", olderKey);
        await page.WaitForURLAsync($"**comparar={olderKey}**");
        Assert.Contains(olderLabel, await page.TextContentAsync("#cab-comparado") ?? "", StringComparison.Ordinal);
        Assert.Equal("2", (await page.TextContentAsync($"{rowSel} .dids"))?.Trim());
        Assert.Equal("1", (await page.TextContentAsync($"{rowSel} .dids-comparado"))?.Trim());
        Assert.Equal("10,12", (await page.TextContentAsync($"{rowSel} .saldo-comparado"))?.Trim());
        Assert.Equal("10,12", (await page.TextContentAsync($"{rowSel} .diferenca"))?.Trim());
        await page.ClickAsync($"{rowSel} .lista-dids summary");
        await Shot(page, "revendas-faturas-comparadas");

        // the CSV of the same view: Saldo do dia, the compared month and the Lista DIDs
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-csv"));
        Assert.Equal($"faturas-revenda-{currentKey}.csv", download.SuggestedFilename);
        var path = Path.Combine(AdminWebServer.ScreenshotDir, "admin-faturas-revenda.csv");
        await download.SaveAsAsync(path);
        var lines = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(path)).TrimStart('\uFEFF')
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var header = lines[0].Split(';');
        Assert.Equal("Saldo do dia (R$)", header[5]);
        Assert.Equal($"Saldo do dia {olderLabel} (R$)", header[8]);
        Assert.Equal("Lista DIDs", header[^1]);
        var line = Assert.Single(lines.Skip(1));
        var f = line.Split(';');
        Assert.Equal(current.ToString("MM/yyyy", CultureInfo.InvariantCulture), f[0]);
        Assert.Equal(name, f[1]);
        Assert.Equal("2", f[2]);
        Assert.Equal("20,24", f[5]);
        Assert.Equal(olderLabel, f[6]);
        Assert.Equal("1", f[7]);
        Assert.Equal("10,12", f[8]);
        Assert.Equal("10,12", f[9]);
        Assert.Contains(did1, f[^1], StringComparison.Ordinal);
        Assert.Contains(did2, f[^1], StringComparison.Ordinal);

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync($"/admin/revendas/faturas?referencia={currentKey}&comparar={olderKey}&busca={Uri.EscapeDataString(name)}");
        await Shot(phone, "revendas-faturas-celular");
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    private async Task<long> CountAsync(string sql, object value)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("p", value);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
