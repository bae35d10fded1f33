using System.Globalization;
using System.Net;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.AdminWeb;

/// <summary>
/// The finalization form (Faturamento → Faturar): the dates it asks for (dd/mm/aaaa) are accepted, a bad one names its field
/// and bills nothing; Valor Real in the browser is Money's rule (each term rounded to centavos half away from zero, -R$ 1,00).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminFinalizationFormTests(ClusterFixture cluster)
{
    [Fact]
    public async Task WhenTheDatesAreTypedAsTheFormAsks_ThenTheBillingIsCreatedWithThem_AndABadDateNamesItsFieldAndBillsNothing()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Datas Brasileiras Ltda");
        var first = await AdminBillingBrowserTests.AvulsoAsync(admin, customer, "2026-03-02", "Instalação", 80m);
        var second = await AdminBillingBrowserTests.AvulsoAsync(admin, customer, "2026-03-03", "Cabeamento", 20m);
        var c = customer.ToString(CultureInfo.InvariantCulture);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        async Task<Func<string, string, List<KeyValuePair<string, string>>>> FormFor(long item)
        {
            var i = item.ToString(CultureInfo.InvariantCulture);
            var html = await http.GetStringAsync($"/admin/faturamento/faturar?cliente={c}&por=base&data=2026-03-31&itens={i}");
            var token = AdminHttpTests.TokenRegex().Match(html).Groups[1].Value;
            var key = AdminHttpTests.KeyRegex().Match(html).Groups[1].Value;
            return (billingDate, dueDate) =>
            [
                new("cliente", c), new("por", "base"), new("data", "2026-03-31"), new("itens", i),
                new("Input.Key", key), new("Input.BillingDate", billingDate), new("Input.DueDate", dueDate),
                new("__RequestVerificationToken", token),
            ];
        }

        var form = await FormFor(first);
        var ok = await http.PostAsync("/admin/faturamento/faturar", new FormUrlEncodedContent(form("31/03/2026", "10/04/2026")));
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        await using (var cmd = cluster.Db.CreateCommand("SELECT billing_date, due_date FROM billing_records WHERE customer_id = @c"))
        {
            cmd.Parameters.AddWithValue("c", customer);
            await using var r = await cmd.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync());
            Assert.Equal(new DateOnly(2026, 3, 31), r.GetFieldValue<DateOnly>(0));
            Assert.Equal(new DateOnly(2026, 4, 10), r.GetFieldValue<DateOnly>(1));
            Assert.False(await r.ReadAsync());
        }

        // what is neither dd/mm/aaaa nor a real day is refused next to its field, naming it, and bills nothing more
        form = await FormFor(second);
        foreach (var (billing, due, field, label) in new[]
                 {
                     ("31-03-2026", "10/04/2026", "billingDate", "Data de faturamento"),
                     ("31/03/2026", "31/04/2026", "dueDate", "Data de vencimento"), // no 31 April
                     ("31/03/2026", "2026/04/10", "dueDate", "Data de vencimento"),
                 })
        {
            var bad = await http.PostAsync("/admin/faturamento/faturar", new FormUrlEncodedContent(form(billing, due)));
            Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
            var page = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
            Assert.Contains($"id=\"err-{field}\"", page, StringComparison.Ordinal);
            Assert.Contains(label + " inválida: informe como dd/mm/aaaa.", page, StringComparison.Ordinal);
            Assert.Equal(1L, await BillingsOf(customer));
        }
    }

    [Fact]
    public async Task WhenAmountsWithFractionsOfACentavoOrANegativeResultAreTyped_ThenTheBrowserShowsWhatTheServerComputes()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin, "Centavos Exatos Ltda");
        var item = await AdminBillingBrowserTests.AvulsoAsync(admin, customer, "2026-02-10", "Instalação", 1140m);
        var page = await web.LoggedInPageAsync();
        await page.GotoAsync($"/admin/faturamento/faturar?cliente={customer}&por=base&data=2026-02-15&itens={item}");
        Assert.Equal("R$ 1.140,00", (await page.TextContentAsync("#valor-real"))?.Trim());

        var pt = CultureInfo.GetCultureInfo("pt-BR");
        foreach (var (discount, interest) in new[]
                 {
                     ("0,005", ""),        // float rule showed R$ 1.140,00; each term rounded first: R$ 1.139,99
                     ("0,015", "0,004"),
                     ("1.000,125", "0,335"),
                     ("", "0,045"),
                     ("1140.005", ""),    // "-R$ 0,01", not "R$ -0,01"
                     ("1200", "1,5"),
                     ("-0,005", ""),
                 })
        {
            await page.FillAsync("#desconto", discount);
            await page.FillAsync("#juros", interest);
            static decimal Parse(string s, IFormatProvider p) => s.Length == 0 ? 0m : decimal.Parse(s, System.Globalization.NumberStyles.Number, p);
            var d = Parse(discount, discount.Contains(',', StringComparison.Ordinal) ? pt : CultureInfo.InvariantCulture);
            var j = Parse(interest, interest.Contains(',', StringComparison.Ordinal) ? pt : CultureInfo.InvariantCulture);
            var server = Money.Format(BillingRules.ValorReal(1140m, d, j));
            Assert.Equal(server, (await page.TextContentAsync("#valor-real"))?.Trim());
        }
        await page.Context.CloseAsync();
    }

    private async Task<long> BillingsOf(long customer)
    {
        await using var cmd = cluster.Db.CreateCommand("SELECT count(*) FROM billing_records WHERE customer_id = @c");
        cmd.Parameters.AddWithValue("c", customer);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
