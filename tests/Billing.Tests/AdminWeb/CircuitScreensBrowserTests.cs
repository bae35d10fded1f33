using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Billing.GrainInterfaces.Circuits;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// The circuit screens of issue 18 in Debian's Chromium: Créditos (dialog, idempotency key), Ligações (filters, paging,
/// CSV), Excluir, the list's toolbar actions on selected rows, the customer panel and the customer picker.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CircuitScreensBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    private static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    private async Task<decimal> BalanceAsync(string account) =>
        (await (await cluster.AsAdmin().GetAsync($"/api/circuits/{account}/balance")).JsonAsync()).GetProperty("balance").GetDecimal();

    [Fact]
    public async Task WhenACreditIsAddedThroughTheDialog_ThenTheBalanceAndTheHistoryChange_AndADoubleSubmitCreditsOnce()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Milena Esportes ME");
        var account = await Seed.CircuitAsync(admin, customer, null);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos/{account}");
        Assert.Equal("R$ 0,00", (await page.TextContentAsync("#saldo"))?.Trim());

        // a bad value and no description: errors next to the fields, nothing credited
        await page.FillAsync("#credito-valor", "dez reais");
        await page.ClickAsync("#lancar-credito");
        await page.ClickAsync("#confirmar-credito-ok");
        await page.Locator("#err-amount").WaitForAsync();
        Assert.Equal(1, await page.Locator("div:has(> #credito-valor) > #err-amount").CountAsync());
        await page.FillAsync("#credito-valor", "150,25");
        await page.ClickAsync("#lancar-credito");
        await page.ClickAsync("#confirmar-credito-ok");
        await page.Locator("#err-description").WaitForAsync();
        Assert.Equal(1, await page.Locator("div:has(> #credito-descricao) > #err-description").CountAsync());
        Assert.Equal("150,25", await page.InputValueAsync("#credito-valor")); // what was typed is kept
        Assert.Equal(0m, await BalanceAsync(account));

        // the dialog says what will be credited; Cancelar credits nothing
        await page.FillAsync("#credito-descricao", "Recarga PIX");
        await page.ClickAsync("#lancar-credito");
        var dialog = page.Locator("#confirmar-credito");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("crédito de R$ 150,25", await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "circuito-credito-dialogo");
        await page.ClickAsync("#confirmar-credito [data-fechar]");
        Assert.Equal(0m, await BalanceAsync(account));
        await page.ClickAsync("#lancar-credito");
        await page.ClickAsync("#confirmar-credito-ok");

        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains("Crédito de R$ 150,25 lançado", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);
        Assert.Equal("R$ 150,25", (await page.TextContentAsync("#saldo"))?.Trim());
        var first = page.Locator("#historico-creditos tbody tr").First;
        Assert.Contains("Recarga PIX", await first.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Contains("150,25", await first.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Contains(AdminWebServer.User, await first.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal(150.25m, await BalanceAsync(account));

        // a debit (adjustment), then the same form posted twice at once with its key: one ledger row, one debit
        await page.FillAsync("#credito-valor", "-10,50");
        await page.FillAsync("#credito-descricao", "Ajuste em duplicidade");
        var key = await page.InputValueAsync("#credito-chave");
        Assert.Equal(32, key.Length);
        var statuses = await page.EvaluateAsync<int[]>(
            """
            async () => {
                const form = document.getElementById('form-credito');
                const post = () => fetch(form.action, { method: 'POST', body: new FormData(form), redirect: 'manual' }).then(r => r.status);
                return await Promise.all([post(), post()]);
            }
            """);
        output.WriteLine("double submit: " + string.Join(",", statuses));
        await page.ReloadAsync();
        Assert.Equal("R$ 139,75", (await page.TextContentAsync("#saldo"))?.Trim());
        Assert.Equal(1, await page.Locator("#historico-creditos tbody tr:has-text('Ajuste em duplicidade')").CountAsync());
        Assert.Equal(139.75m, await BalanceAsync(account));
        await using (var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM ledger WHERE account = @a AND kind = 'credit' AND idempotency_key = @k"))
        {
            cmd.Parameters.AddWithValue("a", account);
            cmd.Parameters.AddWithValue("k", key);
            Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        }
        Assert.NotEqual(key, await page.InputValueAsync("#credito-chave")); // a new form, a new key
        await Shot(page, "circuito-creditos");

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync($"/admin/circuitos/{account}#creditos");
        await Shot(phone, "circuito-creditos-celular");
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheCallsOfACircuitAreFiltered_ThenThePageAndTheCsvShowOnlyThoseCalls_50PerPage()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var (account, _, _) = await Seed.PrepaidCircuitAsync(cluster, 500m);
        var grain = cluster.Grains.Circuit(account);
        var now = DateTimeOffset.UtcNow;
        var threeDaysAgo = now.AddDays(-3);
        async Task Call(string id, string number, DateTimeOffset at, bool inbound = false)
        {
            var r = await grain.Complete(new CompleteRequest
            {
                CallId = $"adm-{account}-{id}",
                DurationSeconds = 60,
                Destination = inbound ? "1140001234" : number,
                Caller = inbound ? number : null,
                Direction = inbound ? CallDirection.Inbound : CallDirection.Outbound,
                StartedAt = at,
                Source = "import",
            });
            Assert.True(r.Ok, $"{r.Status} {r.Field} {r.Reason}");
        }
        for (var i = 0; i < 52; i++) await Call("n" + Inv(i), "1133334444", now.AddHours(-2).AddSeconds(-i));
        await Call("rio", "21988887777", now.AddHours(-1));
        await Call("in", "11987654321", now.AddMinutes(-30), inbound: true);
        await Call("old1", "1155556666", threeDaysAgo);
        await Call("old2", "1155557777", threeDaysAgo.AddMinutes(5));

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos?busca={account}");
        await page.ClickAsync($"#cdr-{account}");
        await page.WaitForURLAsync($"**/admin/circuitos/{account}/ligacoes");
        Assert.Equal(50, await page.Locator("#ligacoes tbody tr").CountAsync());
        Assert.Contains("Página 1 de 2", await page.TextContentAsync("#pagina-info") ?? "", StringComparison.Ordinal);
        Assert.Contains("Mostrando 50 de 56", await page.TextContentAsync("#pagina-info") ?? "", StringComparison.Ordinal);
        await Shot(page, "circuito-ligacoes");
        await page.ClickAsync("#proxima");
        await page.WaitForURLAsync("**pagina=2**");
        Assert.Equal(6, await page.Locator("#ligacoes tbody tr").CountAsync());

        // number digits
        await page.GotoAsync($"/admin/circuitos/{account}/ligacoes");
        await page.FillAsync("#numero", "2198888");
        await page.ClickAsync("#filtrar");
        await page.WaitForURLAsync("**numero=2198888**");
        Assert.Equal(1, await page.Locator("#ligacoes tbody tr").CountAsync());
        Assert.Contains("21988887777", await page.TextContentAsync("#ligacoes tbody tr") ?? "", StringComparison.Ordinal);

        // direction: the received call, with who called
        await page.FillAsync("#numero", "");
        await page.SelectOptionAsync("#direcao", "recebidas");
        await page.ClickAsync("#filtrar");
        await page.WaitForURLAsync("**direcao=recebidas**");
        Assert.Equal(1, await page.Locator("#ligacoes tbody tr").CountAsync());
        var received = await page.TextContentAsync("#ligacoes tbody tr") ?? "";
        Assert.Contains("Recebida", received, StringComparison.Ordinal);
        Assert.Contains("11987654321", received, StringComparison.Ordinal);

        // date range (São Paulo days): only the two calls of three days ago; the CSV carries the same rows
        var day = TimeZoneInfo.ConvertTime(threeDaysAgo, TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo"));
        var iso = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GotoAsync($"/admin/circuitos/{account}/ligacoes?de={iso}&ate={iso}");
        var rows = page.Locator("#ligacoes tbody tr");
        // the two calls of that day (plus none of today's)
        Assert.Equal(2, await rows.CountAsync());
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#exportar-csv"));
        var path = Path.Combine(AdminWebServer.ScreenshotDir, $"admin-ligacoes-{account}.csv");
        await download.SaveAsAsync(path);
        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(path)).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("Data;Direção;Número", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("1155556666", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("1155557777", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.Contains(";0,10;", l, StringComparison.Ordinal)); // 60 s at R$ 0,10/min

        // a bad date: error next to the field, no rows
        await page.GotoAsync($"/admin/circuitos/{account}/ligacoes?de=31/02/2026");
        Assert.Equal(1, await page.Locator("div:has(> #de) > #err-de").CountAsync());
        Assert.Equal(0, await page.Locator("#ligacoes").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenACircuitIsDeletedFromItsPage_ThenTheDialogAsksFirst_AndItLeavesTheList()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var account = await Seed.CircuitAsync(admin, customer, null);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos/{account}");

        await page.ClickAsync("#excluir");
        var dialog = page.Locator("#confirmar-exclusao");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains(account, await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "circuito-excluir-dialogo");
        await page.ClickAsync("#confirmar-exclusao [data-fechar]");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/circuits/{account}")).StatusCode); // cancelled: still there

        await page.ClickAsync("#excluir");
        await page.ClickAsync("#confirmar-excluir");
        await page.WaitForURLAsync("**/admin/circuitos");
        Assert.Contains($"Circuito {account} excluído", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        await page.GotoAsync($"/admin/circuitos?busca={account}");
        Assert.Contains("Nenhum circuito encontrado", await page.TextContentAsync("tbody") ?? "", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{account}")).StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenCircuitsAreSelectedInTheList_ThenConfigurarFaturaAndExcluirCircuitosApplyToThoseOnly()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Ponto Azul");
        var a = await Seed.CircuitAsync(admin, customer, null);
        var b = await Seed.CircuitAsync(admin, customer, null);
        var c = await Seed.CircuitAsync(admin, customer, null);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos?cliente={Inv(customer)}");
        Assert.Equal(3, await page.Locator("tbody tr").CountAsync());
        foreach (var acc in new[] { a, b, c })
        {
            Assert.Equal($"/admin/circuitos/{acc}#dids", await page.GetAttributeAsync($"#did-{acc}", "href"));
            Assert.Equal($"/admin/faturas?circuito={acc}", await page.GetAttributeAsync($"#fatura-{acc}", "href"));
            Assert.Equal($"/admin/circuitos/{acc}/ligacoes", await page.GetAttributeAsync($"#cdr-{acc}", "href"));
        }

        // Configurar Fatura on a and b: a bad closing day comes back next to its field in the reopened dialog
        await page.CheckAsync($"#sel-{a}");
        await page.CheckAsync($"#sel-{b}");
        Assert.Equal("2 circuitos selecionados", (await page.TextContentAsync("#n-selecionados"))?.Trim());
        await page.ClickAsync("#configurar-fatura");
        await page.Locator("#dialogo-fatura").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.FillAsync("#fatura-closingDay", "40");
        await page.FillAsync("#fatura-monthlyFee", "59,90");
        await page.ClickAsync("#aplicar-fatura");
        await page.Locator("#err-invoice-closingDay").WaitForAsync();
        Assert.True(await page.Locator("#dialogo-fatura").IsVisibleAsync());
        Assert.True(await page.IsCheckedAsync($"#sel-{a}")); // the selection is kept
        Assert.False(await page.IsCheckedAsync($"#sel-{c}"));
        await Shot(page, "circuitos-configurar-fatura");
        Assert.Equal(1, (await (await admin.GetAsync($"/api/circuits/{a}")).JsonAsync()).GetProperty("invoice").GetProperty("closingDay").GetInt32());
        await page.FillAsync("#fatura-closingDay", "7");
        await page.ClickAsync("#aplicar-fatura");
        await page.Locator("[role=status]").WaitForAsync();
        Assert.Contains("Fatura configurada em 2 circuitos", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        foreach (var acc in new[] { a, b })
        {
            var inv = (await (await admin.GetAsync($"/api/circuits/{acc}")).JsonAsync()).GetProperty("invoice");
            Assert.Equal(7, inv.GetProperty("closingDay").GetInt32());
            Assert.Equal(59.90m, inv.GetProperty("monthlyFee").GetDecimal());
            Assert.Equal(10, inv.GetProperty("dueDays").GetInt32()); // blank: kept
        }
        var untouched = (await (await admin.GetAsync($"/api/circuits/{c}")).JsonAsync()).GetProperty("invoice");
        Assert.Equal(1, untouched.GetProperty("closingDay").GetInt32());

        // Excluir Circuitos on b and c, behind the dialog
        await page.CheckAsync($"#sel-{b}");
        await page.CheckAsync($"#sel-{c}");
        await page.ClickAsync("#excluir-circuitos");
        var dialog = page.Locator("#dialogo-excluir");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("2 circuitos", await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "circuitos-excluir-dialogo");
        await page.ClickAsync("#confirmar-excluir");
        await page.Locator("[role=status]").WaitForAsync();
        Assert.Contains("2 circuitos excluídos", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("tbody tr").CountAsync());
        Assert.Equal(a, (await page.TextContentAsync("tbody tr td:first-child"))?.Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{b}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{c}")).StatusCode);
        await Shot(page, "circuitos-selecao");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheCustomerPanelIsOpened_ThenItListsItsThreeCircuitsWithTheirOpenInvoices_AndTheTotal()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var name = "Regina e Analu Construções " + Guid.NewGuid().ToString("N")[..6];
        var customer = await Seed.CustomerAsync(admin, name);
        var plan = await Seed.PlanAsync(cluster.Grains, 0.10m);
        var accounts = new[] { await Seed.CircuitAsync(admin, customer, plan), await Seed.CircuitAsync(admin, customer, plan),
            await Seed.CircuitAsync(admin, customer, plan) };
        var expected = new Dictionary<string, decimal>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < accounts.Length; i++)
        {
            var grain = cluster.Grains.Circuit(accounts[i]);
            await Seed.CreditAsync(admin, accounts[i], 100m);
            var view = await grain.Get();
            var fee = i == 1 ? 49.90m : 0m;
            Assert.True((await grain.Update(view!.Data with { Invoice = view.Data.Invoice with { MonthlyFee = fee } }, "test")).IsOk);
            var total = fee;
            for (var k = 0; k < i + 1; k++)
            {
                var r = await grain.Complete(new CompleteRequest
                {
                    CallId = $"painel-{accounts[i]}-{k}", DurationSeconds = 60 * (k + 1), Destination = "1133334444",
                    StartedAt = now.AddMinutes(-1), Source = "import",
                });
                Assert.True(r.Ok, $"{r.Status} {r.Reason}");
                total += r.Cost;
            }
            expected[accounts[i]] = total;
        }
        Assert.Equal(0.10m, expected[accounts[0]]); // 60 s at R$ 0,10/min
        Assert.Equal(50.20m, expected[accounts[1]]); // 49,90 + 0,10 + 0,20
        var sum = expected.Values.Sum();

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/clientes?busca={Uri.EscapeDataString(name)}");
        await page.ClickAsync($"td a:has-text('{name}')");
        await page.WaitForURLAsync($"**/admin/clientes/{Inv(customer)}");
        Assert.Equal(3, await page.Locator("#painel-circuitos tbody tr").CountAsync());
        foreach (var (acc, total) in expected)
        {
            var row = page.Locator($"#painel-circuitos tbody tr[data-circuito='{acc}']");
            Assert.Contains(Billing.GrainInterfaces.Common.Money.Format(total), await row.TextContentAsync() ?? "", StringComparison.Ordinal);
            Assert.Equal($"/admin/circuitos/{acc}", await row.Locator("td a").First.GetAttributeAsync("href"));
        }
        Assert.Equal(Billing.GrainInterfaces.Common.Money.Format(sum), (await page.TextContentAsync("#total-consolidado"))?.Trim());
        Assert.Equal("Total: " + Billing.GrainInterfaces.Common.Money.Format(sum), (await page.TextContentAsync("#total-aberto"))?.Trim());
        Assert.Equal(name, await page.InputValueAsync("#nome")); // the registration is edited on the same page, below
        await Shot(page, "cliente-painel");

        await page.ClickAsync($"#painel-circuitos tbody tr[data-circuito='{accounts[2]}'] td a");
        await page.WaitForURLAsync($"**/admin/circuitos/{accounts[2]}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenACustomerNameIsTypedInTheCircuitForm_ThenThePickedCustomersCodeFillsTheField()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var customer = await Seed.CustomerAsync(admin, "Sarah e Livia Assessoria " + tag);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/circuitos/novo");
        await page.FillAsync("#customerId-busca", "Livia Assessoria " + tag);
        var option = page.Locator("#customerId-busca-sugestoes option");
        await option.First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal(1, await option.CountAsync());
        var label = await option.First.GetAttributeAsync("value");
        Assert.Equal($"Sarah e Livia Assessoria {tag} ({Inv(customer)})", label);
        await Shot(page, "circuito-busca-cliente");
        await page.FillAsync("#customerId-busca", label!); // picking the suggestion
        Assert.Equal(Inv(customer), await page.InputValueAsync("#customerId"));

        var account = Seed.NewAccount();
        await page.FillAsync("#account", account);
        await page.FillAsync("#name", "Ramal busca");
        await page.FillAsync("#areaCode", "11");
        await page.ClickAsync("#salvar");
        await page.WaitForURLAsync($"**/admin/circuitos/{account}");
        var saved = await (await admin.GetAsync($"/api/circuits/{account}")).JsonAsync();
        Assert.Equal(customer, saved.GetProperty("customerId").GetInt64());

        // the list filter and Novo Lote have the same picker; the search answers JSON only to a logged-in admin
        await page.GotoAsync("/admin/circuitos");
        Assert.Equal(1, await page.Locator("#cliente-busca[data-cliente-busca='cliente']").CountAsync());
        using var anonymous = web.Http();
        var r = await anonymous.GetAsync("/admin/clientes/busca?q=Sarah");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Contains("/admin/login", r.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenACustomerNameIsTypedInTheBillingAndResellerForms_ThenThePickedCustomersCodeFillsTheField()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var customer = await Seed.CustomerAsync(admin, "Bento e Caio Transportes " + tag);
        var page = await web.LoggedInPageAsync();
        // the contract and avulso forms and their filters (the reseller page's "Vincular cliente" has the same picker)
        foreach (var (url, target) in new[]
                 {
                     ("/admin/faturamento/contratos", "cliente"), ("/admin/faturamento/contratos", "filtro-cliente"),
                     ("/admin/faturamento/avulsos", "cliente"), ("/admin/faturamento/avulsos", "filtro-cliente"),
                 })
        {
            await page.GotoAsync(url);
            await page.FillAsync($"#{target}-busca", "Caio Transportes " + tag);
            var option = page.Locator($"#{target}-busca-sugestoes option");
            await option.First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
            var label = await option.First.GetAttributeAsync("value");
            Assert.Equal($"Bento e Caio Transportes {tag} ({Inv(customer)})", label);
            await page.FillAsync($"#{target}-busca", label!);
            Assert.Equal(Inv(customer), await page.InputValueAsync($"#{target}"));
        }
        await Shot(page, "avulso-busca-cliente");
        await page.Context.CloseAsync();
    }
}
