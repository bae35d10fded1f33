using System.Net;
using System.Text;
using Billing.GrainInterfaces.Rating;
using Billing.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Billing.Tests.AdminWeb;

/// <summary>/admin/tabelas in Chromium: a CSV with one bad line is refused whole, a good one becomes a version to search and download.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminRateDecksBrowserTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const string Header = "prefix;destination;price_per_minute;connect_fee;initial_block;increment;minimum_seconds\n";

    private async Task Shot(IPage page, string name) => output.WriteLine("screenshot: " + await AdminWebServer.ScreenshotAsync(page, name));

    private static FilePayload Csv(string text) => new() { Name = "tabela.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    private async Task<long> CountAsync(string sql, string id)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("id", id);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task WhenADeckWithOneBadLineIsUploaded_ThenThatLineIsShownAndNothingIsStored_AndAGoodOneCanBeSearchedAndDownloaded()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var id = "ldi-" + Guid.NewGuid().ToString("N")[..8];
        var good = Header +
                   "44;Reino Unido;0,50;0;60;60;0\n" +
                   "447;Reino Unido móvel;1,234567;0,10;30;6;0\n" +
                   "1;EUA;0,06;0;6;6;0\n";
        var bad = good + "351;Portugal;abc;0;6;6;0\n"; // line 5: the price is not a number

        var page = await web.LoggedInPageAsync();
        await page.GotoAsync("/admin/tabelas");
        await page.FillAsync("#codigo", id);
        await page.FillAsync("#nome", "Internacional");
        await page.SetInputFilesAsync("#arquivo", Csv(bad));
        await page.ClickAsync("#importar");

        var lines = page.Locator("#erros-linhas li");
        await lines.First.WaitForAsync();
        Assert.Equal(["Linha 5, coluna price_per_minute"], (await lines.AllTextContentsAsync()).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Contains("nada foi importado", await page.TextContentAsync("#problema") ?? "", StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("#arquivo", "aria-invalid"));
        Assert.Equal(id, await page.InputValueAsync("#codigo"));
        await Shot(page, "tabela-linha-errada");
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM rate_decks WHERE id = @id", id));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM rate_deck_rows WHERE deck_id = @id", id));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM rate_deck_versions WHERE deck_id = @id", id));
        Assert.Null(await cluster.Grains.GetGrain<IRateDeckGrain>("deck:" + id).GetInfo());

        // the good file: version 1, three prefixes
        await page.SetInputFilesAsync("#arquivo", Csv(good));
        await page.ClickAsync("#importar");
        await page.WaitForURLAsync("**/admin/tabelas/" + id);
        Assert.Contains("versão 1", await page.TextContentAsync("[role=status]") ?? "", StringComparison.Ordinal);
        Assert.Equal("1", (await page.TextContentAsync("#versao-atual"))?.Trim());
        Assert.Equal(3, await page.Locator("#prefixos tbody tr").CountAsync());
        Assert.Equal(1, await page.Locator("#versao-1").CountAsync());

        // search by prefix: 44 and 447
        await page.FillAsync("#prefixo", "44");
        await page.ClickAsync("#buscar");
        await page.WaitForURLAsync("**prefixo=44*");
        var prefixes = await page.Locator("#prefixos tbody tr td:first-child").AllTextContentsAsync();
        Assert.Equal(["44", "447"], prefixes.Select(p => p.Trim()));
        Assert.Contains("1,234567", await page.TextContentAsync("#prefixos") ?? "", StringComparison.Ordinal);
        await Shot(page, "tabela");

        // download: the version in force, in the import's own format
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
        var path = Path.Combine(AdminWebServer.ScreenshotDir, "admin-tabela.csv");
        Directory.CreateDirectory(AdminWebServer.ScreenshotDir);
        await download.SaveAsAsync(path);
        Assert.Equal($"tabela-{id}-v1.csv", download.SuggestedFilename);
        var csv = File.ReadAllText(path, Encoding.UTF8).TrimStart('\uFEFF');
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(Header.TrimEnd('\n'), rows[0]);
        Assert.Equal(["1;EUA;0,06;0;6;6;0", "44;Reino Unido;0,5;0;60;60;0", "447;Reino Unido móvel;1,234567;0,1;30;6;0"], rows.Skip(1));

        // the downloaded file imports back as version 2 (after the confirmation) with the same rows
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.SetInputFilesAsync("#arquivo", path);
        await page.ClickAsync("#importar");
        await page.Locator("#versao-2").WaitForAsync();
        Assert.Equal("2", (await page.TextContentAsync("#versao-atual"))?.Trim());
        Assert.Equal("3", (await page.TextContentAsync("#total-prefixos"))?.Trim());
        var match = await cluster.Grains.GetGrain<IRateDeckGrain>("deck:" + id).Match("+447911123456");
        Assert.Equal(("447", 2, 1.234567m), (match!.Prefix, match.Version, match.Tariff.Slots[0].PricePerMinute));
        await Shot(page, "tabela-versoes");

        await page.GotoAsync("/admin/tabelas");
        Assert.Equal(1, await page.Locator($"td a:has-text('{id}')").CountAsync());
        await Shot(page, "tabelas");
        await page.Context.CloseAsync();

        var phone = await web.LoggedInPageAsync(phone: true);
        await phone.GotoAsync("/admin/tabelas/" + id);
        await Shot(phone, "tabela-celular");
        await phone.Context.CloseAsync();
    }
}
