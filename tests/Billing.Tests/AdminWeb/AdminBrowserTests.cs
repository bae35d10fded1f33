using System.Net.Http.Json;
using System.Text.Json;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>The web admin in Debian's Chromium (Playwright), against the API on Kestrel; screenshots under TestResults/screenshots.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private async Task<string> Shot(IPage page, string name)
    {
        var path = await AdminWebServer.ScreenshotAsync(page, name);
        output.WriteLine("screenshot: " + path);
        return path;
    }

    [Fact]
    public async Task WhenTheWrongPasswordIsTyped_ThenLoginIsRefusedWithAGenericError_AndTheRightOneLogsIn()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var page = await web.NewPageAsync();
        await page.GotoAsync("/admin/clientes");
        Assert.Contains("/admin/login", page.Url, StringComparison.Ordinal); // redirected to the login page
        await page.FillAsync("#usuario", AdminWebServer.User);
        await page.FillAsync("#senha", "senha-errada-1");
        await page.ClickAsync("#entrar");
        Assert.Equal("Usuário ou senha inválidos.", (await page.TextContentAsync("#erro-login"))?.Trim());
        Assert.Equal("", await page.InputValueAsync("#senha"));
        await Shot(page, "login-erro");

        await page.FillAsync("#senha", AdminWebServer.Password);
        await page.ClickAsync("#entrar");
        await page.WaitForURLAsync("**/admin/clientes");
        Assert.Equal("Cadastro de Clientes", (await page.TextContentAsync("h1"))?.Trim());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenACustomerHasAnInvalidCpf_ThenTheErrorShowsNextToTheField_AndAValidOneIsCreated()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var page = await web.LoggedInPageAsync();
        await page.ClickAsync("#novo-cliente");
        await page.WaitForURLAsync("**/admin/clientes/novo");
        var nome = "Elza Eletrônica " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("#nome", nome);
        await page.FillAsync("#documento", "529.982.247-24"); // wrong check digit
        await page.FillAsync("#cep", "88015-200");
        await page.SelectOptionAsync("#uf", "SC");
        await page.FillAsync("#cidade", "Florianópolis");
        await page.ClickAsync("#salvar");

        var error = page.Locator("#err-documento");
        await error.WaitForAsync();
        Assert.Contains("CPF", await error.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("#documento", "aria-invalid"));
        // the error is rendered right after its input, inside the same field block
        Assert.Equal(1, await page.Locator("div:has(> #documento) > #err-documento").CountAsync());
        Assert.Equal(nome, await page.InputValueAsync("#nome")); // what was typed is kept
        await Shot(page, "cliente-cpf-invalido");

        var cpf = Docs.Cpf();
        await page.FillAsync("#documento", cpf);
        await page.ClickAsync("#salvar");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/admin/clientes/\d+$"));
        Assert.Contains("cadastrado", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".field-error").CountAsync());

        await page.FillAsync("#contato-nome", "Nadir Guimarães");
        await page.FillAsync("#contato-email", "nadir@example.com");
        await page.FillAsync("#contato-cargo", "Financeiro");
        await page.ClickAsync("#salvar-contato");
        await page.Locator("td:has-text('nadir@example.com')").WaitForAsync();
        await Shot(page, "cliente-editar");

        await page.GotoAsync("/admin/clientes?busca=" + Uri.EscapeDataString(nome));
        Assert.Equal(1, await page.Locator($"td a:has-text('{nome}')").CountAsync());
        await Shot(page, "clientes");

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenAnInvoiceStatusIsChangedThroughTheDialog_ThenItIsIssuedAndTheCustomerIsNotifiedByDefault()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Fernando Corretores Associados Ltda");
        (await admin.PostAsJsonAsync($"/api/customers/{customer}/contacts", new { nome = "Fernando", email = "fernando@example.com" }))
            .EnsureSuccessStatusCode();
        var account = await Seed.CircuitAsync(admin, customer, null);
        var gen = await (await admin.PostAsJsonAsync("/api/invoices/generate", new { period = "2026-04", account })).JsonAsync();
        var id = gen.GetProperty("results")[0].GetProperty("invoiceId").GetInt64();

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/faturas?cliente={customer}&de=2026-01&ate=2026-12");
        await Shot(page, "faturas");
        await page.ClickAsync($"#ver-{id}");
        await page.WaitForURLAsync($"**/admin/faturas/{id}");
        Assert.Equal("RASCUNHO", (await page.TextContentAsync("#status-atual"))?.Trim());
        Assert.True(await page.IsCheckedAsync("#notificar")); // "Enviar e-mail de notificação ao cliente" on by default

        await page.SelectOptionAsync("#novo-status", "ABERTO");
        await page.ClickAsync("#atualizar-status");
        var dialog = page.Locator("#confirmar-status");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("para ABERTO", await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.Contains("receberá um e-mail", await dialog.TextContentAsync() ?? "", StringComparison.Ordinal);
        await Shot(page, "fatura-dialogo");
        await page.ClickAsync("#confirmar");

        await page.Locator("#aviso").WaitForAsync();
        Assert.Contains("será notificado por e-mail", await page.TextContentAsync("#aviso") ?? "", StringComparison.Ordinal);
        Assert.Equal("ABERTO", (await page.TextContentAsync("#status-atual"))?.Trim());
        await Shot(page, "fatura");

        var inv = await (await admin.GetAsync($"/api/invoices/{id}")).JsonAsync();
        Assert.Equal("ABERTO", inv.GetProperty("status").GetString());
        var history = await (await admin.GetAsync($"/api/invoices/{id}/history")).JsonAsync();
        var change = history.EnumerateArray().Last();
        Assert.Equal(AdminWebServer.User, change.GetProperty("actor").GetString());
        Assert.Equal("ABERTO", change.GetProperty("to").GetString());
        Assert.True(change.GetProperty("notify").GetBoolean());

        // the PDF download works through the page
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#baixar-pdf"));
        var pdfPath = Path.Combine(AdminWebServer.ScreenshotDir, "admin-fatura.pdf");
        await download.SaveAsAsync(pdfPath);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(pdfPath), 0, 4));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WhenTheListsAreOpened_ThenCircuitsAndResellerStatementsShowTheirColumnsAndPaging()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Demo PABX");
        var account = await Seed.CircuitAsync(admin, customer, null);

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/circuitos?cliente={customer}");
        var headers = await page.Locator("thead th").AllTextContentsAsync();
        Assert.Contains("Saldo", headers);
        Assert.Contains("Status", headers);
        Assert.Equal(1, await page.Locator("tbody tr").CountAsync());
        Assert.Equal(account, (await page.TextContentAsync("tbody tr td:first-child"))?.Trim());
        Assert.Contains("Página 1 de 1", await page.TextContentAsync("#pagina-info") ?? "", StringComparison.Ordinal);
        await Shot(page, "circuitos");

        await page.ClickAsync("tbody tr td:first-child a");
        await page.WaitForURLAsync($"**/admin/circuitos/{account}");
        await Shot(page, "circuito");

        // Configurar Fatura with an invalid closing day: the grain's error shows next to the field; then a valid one saves
        await page.FillAsync("#closingDay", "40");
        await page.CheckAsync("#flag-blacklist");
        await page.ClickAsync("#salvar");
        await page.Locator("#err-invoice-closingDay").WaitForAsync();
        Assert.True(await page.IsCheckedAsync("#flag-blacklist")); // what was typed is kept
        await page.FillAsync("#closingDay", "5");
        await page.FillAsync("#monthlyFee", "49,90");
        await page.ClickAsync("#salvar");
        await page.Locator("#aviso").WaitForAsync();
        var saved = await (await admin.GetAsync($"/api/circuits/{account}")).JsonAsync();
        Assert.Equal(5, saved.GetProperty("invoice").GetProperty("closingDay").GetInt32());
        Assert.Equal(49.90m, saved.GetProperty("invoice").GetProperty("monthlyFee").GetDecimal());
        Assert.True(saved.GetProperty("flags").GetProperty("blacklist").GetBoolean());

        // Novo Lote: two more circuits with the same settings
        await page.GotoAsync($"/admin/circuitos/lote?cliente={customer}");
        await page.FillAsync("#lista", Seed.NewAccount() + "\n" + Seed.NewAccount());
        await page.FillAsync("#name", "Ramal lote");
        await page.FillAsync("#areaCode", "48");
        await page.ClickAsync("#criar-lote");
        await page.WaitForURLAsync($"**/admin/circuitos?cliente={customer}");
        Assert.Equal(3, await page.Locator("tbody tr").CountAsync());

        await page.GotoAsync("/admin/revendas/faturas?referencia=2025-08");
        Assert.Contains("Total", await page.TextContentAsync("#pagina-info") ?? "", StringComparison.Ordinal);
        await Shot(page, "revendas-faturas");

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync($"/admin/circuitos?cliente={customer}");
        await Shot(phone, "circuitos-celular");
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
