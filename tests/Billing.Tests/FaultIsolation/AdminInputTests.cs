using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Billing.Tests.Registration;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.FaultIsolation;

/// <summary>
/// Issue 15, item 1: every admin write (and list filter) refuses text the database cannot hold or no person types (NUL,
/// control characters, 10 000-character strings) and numbers outside their column's range with a 400 naming the
/// field — never a 5xx — and changes nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AdminInputTests(ClusterFixture cluster)
{
    private const string Nul = "abc\u0000def";
    private const string Bell = "abc\u0007def";
    private static readonly string Huge = new('x', 10_000);

    /// <summary>Entities the cases write to, created once for the whole class.</summary>
    private sealed record World(long Customer, long Contact, string Account, long Reseller, string PlanId, string Did, long Webhook,
        long Contract, long Avulso, long Billing);

    private static World? _world;
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private async Task<World> WorldAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_world is not null) return _world;
            var admin = cluster.AsAdmin();
            var customer = await Seed.CustomerAsync(admin);
            var contact = (await (await admin.PostAsJsonAsync($"/api/customers/{customer}/contacts", new { nome = "Ana", email = "ana@x.com.br" }))
                .JsonAsync()).GetProperty("id").GetInt64();
            var account = await Seed.CircuitAsync(admin, customer, null);
            var rev = await admin.PostAsJsonAsync("/api/resellers", new { nome = "Revenda Teste", documento = Docs.Cnpj() });
            Assert.Equal(HttpStatusCode.Created, rev.StatusCode);
            var reseller = (await rev.JsonAsync()).GetProperty("id").GetInt64();
            var planId = "pin" + Guid.NewGuid().ToString("N")[..8];
            var plan = await admin.PostAsJsonAsync("/api/plans", PlanBody(planId));
            Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());
            var did = "+55114" + Random.Shared.Next(0, 10_000_000).ToString("D7", CultureInfo.InvariantCulture);
            (await admin.PostAsJsonAsync("/api/dids", new { number = did })).EnsureSuccessStatusCode();
            var hook = (await (await admin.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/x", events = new[] { "billing.created" } }))
                .JsonAsync()).GetProperty("id").GetInt64();
            var contract = await admin.PostAsJsonAsync("/api/billing/contracts", ContractBody(customer));
            Assert.True(contract.IsSuccessStatusCode, await contract.Content.ReadAsStringAsync());
            var avulso = await admin.PostAsJsonAsync("/api/billing/avulsos", AvulsoBody(customer));
            Assert.True(avulso.IsSuccessStatusCode, await avulso.Content.ReadAsStringAsync());
            var billed = await admin.PostAsJsonAsync("/api/billing", new { customerId = customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" });
            Assert.True(billed.IsSuccessStatusCode, await billed.Content.ReadAsStringAsync());
            // one avulso left pending for the billing cases
            (await admin.PostAsJsonAsync("/api/billing/avulsos", AvulsoBody(customer))).EnsureSuccessStatusCode();
            return _world = new World(customer, contact, account, reseller, planId, did, hook,
                (await contract.JsonAsync()).GetProperty("id").GetInt64(), (await avulso.JsonAsync()).GetProperty("id").GetInt64(),
                (await billed.JsonAsync()).GetProperty("id").GetInt64());
        }
        finally
        {
            Gate.Release();
        }
    }

    private static Dictionary<string, object> PlanEntries() => new()
    {
        ["local_fixo"] = new { tariff = new { connectFee = 0.05m, slots = new[] { new { fromSecond = 0, pricePerMinute = 0.10m, incrementSeconds = 30 } }, minimumSeconds = 0, freeSeconds = 3 } },
    };

    private static object PlanBody(string? id) => new { id, name = "Plano de teste", entries = PlanEntries() };

    private static object ContractBody(long customer) => new
    {
        customerId = customer, name = "Serviço de suporte", kind = "servico", amount = 50m, timing = "antecipado", dayOfMonth = 5,
        dueDays = 10, startDate = "2026-01-01",
    };

    private static object AvulsoBody(long customer) => new { customerId = customer, date = "2026-05-02", description = "Ativação", amount = 12.34m };

    /// <summary>A case: an HTTP request built from the world, the field the 400 must name.</summary>
    private sealed record Case(string Method, Func<World, string> Url, Func<World, object?>? Body, string Field, Func<JsonNode, JsonNode>? Mutate = null);

    private static JsonNode Set(JsonNode n, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var cur = n;
        foreach (var p in parts[..^1])
            cur = p.EndsWith(']') ? cur[p[..p.IndexOf('[')]]![int.Parse(p[(p.IndexOf('[') + 1)..^1], CultureInfo.InvariantCulture)]! : cur[p]!;
        var last = parts[^1];
        if (last.EndsWith(']'))
            cur[last[..last.IndexOf('[')]]![int.Parse(last[(last.IndexOf('[') + 1)..^1], CultureInfo.InvariantCulture)] = value;
        else cur[last] = value;
        return n;
    }

    private static Case Body(string method, Func<World, string> url, Func<World, object> body, string path, JsonNode? value, string? field = null) =>
        new(method, url, body, field ?? path, n => Set(n, path, value));

    private static Case Query(Func<World, string> url, string field) => new("GET", url, null, field);

    private static object NewCustomer(World _) => new { nome = "Cliente Novo", documento = Docs.Cpf(), cidade = "São Paulo", observacoes = "ok" };

    private static object NewCircuit(World w) => new
    {
        account = Seed.NewAccount(), name = "Circuito novo", customerId = w.Customer, areaCode = "11", central = "SPX", billingMode = "prepaid",
        creditLimit = 0m, status = "ativo", invoice = new { closingDay = 1, dueDays = 10, monthlyFee = 10m, customFields = new[] { new { name = "Contrato", value = "123" } } },
    };

    private static object NewReseller(World _) => new
    {
        nome = "Revenda nova", documento = Docs.Cnpj(), email = "a@b.com.br", telefone = "11 3333-3333", observacoes = "obs",
        contatos = new[] { new { nome = "Bia", email = "bia@b.com.br", telefone = "11", cargo = "Financeiro" } }, didMonthlyFee = 10m, completionPricePerMinute = 0.1m,
    };

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        // customers and contacts
        ["customer nome NUL"] = Body("POST", _ => "/api/customers", NewCustomer, "nome", Nul),
        ["customer nome bell"] = Body("POST", _ => "/api/customers", NewCustomer, "nome", Bell),
        ["customer cidade NUL"] = Body("POST", _ => "/api/customers", NewCustomer, "cidade", Nul),
        ["customer observacoes NUL"] = Body("POST", _ => "/api/customers", NewCustomer, "observacoes", Nul),
        ["customer observacoes huge"] = Body("POST", _ => "/api/customers", NewCustomer, "observacoes", Huge),
        ["customer put logradouro NUL"] = Body("PUT", w => $"/api/customers/{w.Customer}", NewCustomer, "logradouro", Nul),
        ["contact nome NUL"] = Body("POST", w => $"/api/customers/{w.Customer}/contacts", _ => new { nome = "Ana" }, "nome", Nul),
        ["contact telefone NUL"] = Body("POST", w => $"/api/customers/{w.Customer}/contacts", _ => new { nome = "Ana" }, "telefone", Nul),
        ["contact cargo huge"] = Body("PUT", w => $"/api/customers/{w.Customer}/contacts/{w.Contact}", _ => new { nome = "Ana" }, "cargo", Huge),
        ["customers search NUL"] = Query(_ => "/api/customers?search=" + Esc(Nul), "search"),
        ["customers search huge"] = Query(_ => "/api/customers?search=" + Huge[..5000], "search"),
        // circuits
        ["circuit name NUL"] = Body("POST", _ => "/api/circuits", NewCircuit, "name", Nul),
        ["circuit central NUL"] = Body("POST", _ => "/api/circuits", NewCircuit, "central", Nul),
        ["circuit planId NUL"] = Body("POST", _ => "/api/circuits", NewCircuit, "planId", Nul),
        ["circuit creditLimit huge"] = Body("POST", _ => "/api/circuits", NewCircuit, "creditLimit", 1e20m),
        ["circuit customField value NUL"] = Body("POST", _ => "/api/circuits", NewCircuit, "invoice.customFields[0].value", Nul),
        ["circuit customField name NUL"] = Body("POST", _ => "/api/circuits", NewCircuit, "invoice.customFields[0].name", Nul),
        ["circuit monthlyFee huge"] = Body("POST", _ => "/api/circuits", NewCircuit, "invoice.monthlyFee", 1e20m),
        ["circuit put name NUL"] = Body("PUT", w => $"/api/circuits/{w.Account}", NewCircuit, "name", Nul),
        ["circuit batch name NUL"] = Body("POST", _ => "/api/circuits/batch", w => new { accounts = new[] { Seed.NewAccount() }, settings = NewCircuit(w) },
            "settings.name", Nul),
        ["circuit web password NUL"] = Body("PUT", w => $"/api/circuits/{w.Account}/web-password", _ => new { password = "senha1234" }, "password", Nul),
        ["credit description NUL"] = Body("POST", w => $"/api/circuits/{w.Account}/credits",
            _ => new { amount = 1m, description = "Recarga", idempotencyKey = Guid.NewGuid().ToString("N") }, "description", Nul),
        ["credit idempotencyKey NUL"] = Body("POST", w => $"/api/circuits/{w.Account}/credits",
            _ => new { amount = 1m, description = "Recarga", idempotencyKey = Guid.NewGuid().ToString("N") }, "idempotencyKey", Nul),
        ["credit amount huge"] = Body("POST", w => $"/api/circuits/{w.Account}/credits",
            _ => new { amount = 1m, description = "Recarga", idempotencyKey = Guid.NewGuid().ToString("N") }, "amount", 1e20m),
        ["circuits search NUL"] = Query(_ => "/api/circuits?search=" + Esc(Nul), "search"),
        ["blacklist number NUL"] = Body("POST", w => $"/api/circuits/{w.Account}/blacklist", _ => new { numbers = new[] { "1133334444" } }, "numbers[0]",
            Nul),
        // resellers
        ["reseller nome NUL"] = Body("POST", _ => "/api/resellers", NewReseller, "nome", Nul),
        ["reseller observacoes NUL"] = Body("POST", _ => "/api/resellers", NewReseller, "observacoes", Nul),
        ["reseller telefone huge"] = Body("POST", _ => "/api/resellers", NewReseller, "telefone", Huge),
        ["reseller contato nome NUL"] = Body("POST", _ => "/api/resellers", NewReseller, "contatos[0].nome", Nul),
        ["reseller contato cargo NUL"] = Body("POST", _ => "/api/resellers", NewReseller, "contatos[0].cargo", Nul),
        ["reseller didMonthlyFee huge"] = Body("POST", _ => "/api/resellers", NewReseller, "didMonthlyFee", 1e20m),
        ["reseller didMonthlyFee negative"] = Body("POST", _ => "/api/resellers", NewReseller, "didMonthlyFee", -5m),
        ["reseller price huge"] = Body("POST", _ => "/api/resellers", NewReseller, "completionPricePerMinute", 1e12m),
        ["reseller price 7 decimals"] = Body("POST", _ => "/api/resellers", NewReseller, "completionPricePerMinute", 0.1234567m),
        ["reseller put nome NUL"] = Body("PUT", w => $"/api/resellers/{w.Reseller}", NewReseller, "nome", Nul),
        ["resellers search NUL"] = Query(_ => "/api/resellers?search=" + Esc(Nul), "search"),
        // DIDs
        ["did number NUL"] = Body("POST", _ => "/api/dids", _ => new { number = "1140001000" }, "number", Nul),
        ["did monthlyFee huge"] = Body("POST", _ => "/api/dids", _ => new { number = "+5511" + Random.Shared.Next(30_000_000, 39_999_999) }, "monthlyFee", 1e20m),
        ["did assign account NUL"] = Body("POST", w => $"/api/dids/{Esc(w.Did)}/assign", w => new { account = w.Account }, "account", Nul),
        ["did assign monthlyFee huge"] = Body("POST", w => $"/api/dids/{Esc(w.Did)}/assign", w => new { account = w.Account }, "monthlyFee", 1e20m),
        ["did assign activeFrom year 9999"] = Body("POST", w => $"/api/dids/{Esc(w.Did)}/assign", w => new { account = w.Account }, "activeFrom",
            "9999-12-31T00:00:00Z"),
        ["did sigame destination NUL"] = Body("PUT", w => $"/api/dids/{Esc(w.Did)}/settings", _ => new { sigame = new { enabled = true, destination = "1133334444" } },
            "sigame.destination", Nul),
        ["dids search NUL"] = Query(_ => "/api/dids?search=" + Esc(Nul), "search"),
        // plans, rate decks, preview
        ["plan name NUL"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]), "name", Nul),
        ["plan id NUL"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]), "id", Nul),
        ["plan connectFee huge"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]), "entries.local_fixo.tariff.connectFee",
            1e20m),
        ["plan price huge"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]),
            "entries.local_fixo.tariff.slots[0].pricePerMinute", 1e12m, "entries.local_fixo.tariff.slots[0].pricePerMinute"),
        ["plan minimumSeconds negative"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]),
            "entries.local_fixo.tariff.minimumSeconds", -1),
        ["plan freeSeconds huge"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]),
            "entries.local_fixo.tariff.freeSeconds", int.MaxValue),
        ["plan put name NUL"] = Body("PUT", w => $"/api/plans/{w.PlanId}", _ => new { name = "x", validFrom = "2030-01-01T00:00:00Z",
            entries = PlanEntries() }, "name", Nul),
        ["preview destination NUL"] = Body("POST", _ => "/api/rating/preview", w => new { planId = w.PlanId, areaCode = "11", destination = "1133334444", durationSeconds = 60 },
            "destination", Nul),
        ["preview planId NUL"] = Body("POST", _ => "/api/rating/preview", w => new { planId = w.PlanId, areaCode = "11", destination = "1133334444", durationSeconds = 60 },
            "planId", Nul),
        // invoices
        ["invoice generate account NUL"] = Body("POST", _ => "/api/invoices/generate", w => new { period = "2026-02", account = w.Account }, "account", Nul),
        ["invoices status NUL"] = Query(_ => "/api/invoices?status=" + Esc(Nul), "status"),
        ["audit entity NUL"] = Query(_ => "/api/audit?entity=" + Esc(Nul), "entity"),
        // pending billing
        ["contract name NUL"] = Body("POST", _ => "/api/billing/contracts", w => ContractBody(w.Customer), "name", Nul),
        ["contract amount huge"] = Body("POST", _ => "/api/billing/contracts", w => ContractBody(w.Customer), "amount", 1e20m),
        ["contract account NUL"] = Body("POST", _ => "/api/billing/contracts", w => ContractBody(w.Customer), "account", Nul),
        ["contract put name NUL"] = Body("PUT", w => $"/api/billing/contracts/{w.Contract}", w => ContractBody(w.Customer), "name", Nul),
        ["avulso description NUL"] = Body("POST", _ => "/api/billing/avulsos", w => AvulsoBody(w.Customer), "description", Nul),
        ["avulso amount huge"] = Body("POST", _ => "/api/billing/avulsos", w => AvulsoBody(w.Customer), "amount", 1e20m),
        ["avulso date year 1"] = Body("POST", _ => "/api/billing/avulsos", w => AvulsoBody(w.Customer), "date", "0001-01-01"),
        ["bill nfeNumber NUL"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "nfeNumber", Nul),
        ["bill notes NUL"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "notes", Nul),
        ["bill interest huge"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "interest", 1e20m),
        ["bill billingDate year 9999"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "billingDate", "9999-12-31"),
        ["bill dueDate year 1"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "dueDate", "0001-01-01"),
        ["cancel reason NUL"] = Body("POST", w => $"/api/billing/{w.Billing}/cancel", _ => new { reason = "x" }, "reason", Nul),
        ["billing history nfe NUL"] = Query(_ => "/api/billing/history?nfe=" + Esc(Nul), "nfe"),
        ["billing email to NUL"] = Body("POST", w => $"/api/billing/{w.Billing}/email", _ => new { to = "a@b.com.br", reportType = "sintetico" }, "to", Nul),
        // dates and periods far outside any sane window (issue 15, item 2)
        ["generate period 9999-12"] = Body("POST", _ => "/api/invoices/generate", w => new { period = "2026-02", account = w.Account }, "period", "9999-12"),
        ["generate period 0001-01"] = Body("POST", _ => "/api/invoices/generate", w => new { period = "2026-02", account = w.Account }, "period", "0001-01"),
        ["invoices from 0001-01"] = Query(_ => "/api/invoices?from=0001-01", "from"),
        ["customer invoices to 9999-12"] = Query(w => $"/api/customers/{w.Customer}/invoices?to=9999-12", "to"),
        ["pending baseDate 1900"] = Query(_ => "/api/billing/pending?baseDate=1900-01-01", "baseDate"),
        ["billing history from 0001"] = Query(_ => "/api/billing/history?from=0001-01-01", "from"),
        ["reseller statements 12/2999"] = Query(_ => "/api/reports/reseller-statements?reference=12/2999", "reference"),
        ["reseller statements compareTo 01/2000"] = Query(_ => "/api/reports/reseller-statements?reference=01/2026&compareTo=01/2000", "compareTo"),
        ["contract startDate 2099"] = Body("POST", _ => "/api/billing/contracts", w => ContractBody(w.Customer), "startDate", "2099-01-01"),
        ["bill baseDate year 9999"] = Body("POST", _ => "/api/billing", w => new { customerId = w.Customer, all = true, billingDate = "2026-05-31", dueDate = "2026-06-10" },
            "baseDate", "9999-12-31"),
        ["plan validFrom year 9999"] = Body("POST", _ => "/api/plans", _ => PlanBody("pn" + Guid.NewGuid().ToString("N")[..8]), "validFrom", "9999-01-01T00:00:00Z"),
        ["did assign activeTo year 1"] = Body("POST", w => $"/api/dids/{Esc(w.Did)}/assign", w => new { account = w.Account }, "activeTo", "0001-01-02T00:00:00Z"),
        // rate deck CSV: a price beyond numeric(14,6)
        ["rate deck price huge"] = new("POST", _ => "/api/rate-decks?id=dk" + Guid.NewGuid().ToString("N")[..8] + "&name=Deck",
            _ => new StringContent("prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n5511,SP,123456789012.5,0,30,6,0\n",
                Encoding.UTF8, "text/csv"), "body"),
        ["rate deck destination NUL"] = new("POST", _ => "/api/rate-decks?id=dk" + Guid.NewGuid().ToString("N")[..8] + "&name=Deck",
            _ => new StringContent("prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n5511,S\u0000P,0.1,0,30,6,0\n",
                Encoding.UTF8, "text/csv"), "body"),
        ["rate deck name NUL"] = new("POST", _ => "/api/rate-decks?id=dk" + Guid.NewGuid().ToString("N")[..8] + "&name=" + Esc(Nul),
            _ => new StringContent("prefix,destination,price_per_minute,connect_fee,initial_block,increment,minimum_seconds\n5511,SP,0.1,0,30,6,0\n",
                Encoding.UTF8, "text/csv"), "name"),
        // webhooks
        ["webhook url NUL"] = Body("POST", _ => "/api/webhooks", _ => new { url = "http://127.0.0.1:9/x" }, "url", "http://127.0.0.1:9/x\u0000y"),
        ["webhook url huge"] = Body("POST", _ => "/api/webhooks", _ => new { url = "http://127.0.0.1:9/x" }, "url", "http://127.0.0.1:9/" + Huge),
        ["webhook secret NUL"] = Body("POST", _ => "/api/webhooks", _ => new { url = "http://127.0.0.1:9/x" }, "secret", "segredo-segredo-\u0000-segredo"),
        ["webhook put url NUL"] = Body("PUT", w => $"/api/webhooks/{w.Webhook}", _ => new { url = "http://127.0.0.1:9/x" }, "url", "http://127.0.0.1:9/x\u0000y"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    /// <summary>Every row of the tables the admin API writes, hashed: equal before and after means nothing changed.</summary>
    private async Task<string> FingerprintAsync()
    {
        string[] tables =
        [
            "customers",
            // circuit grains write balance/updated_at (snapshot timer) and registrations in the background: not a change by the request
            "(SELECT account, name, customer_id, plan_id, area_code, central, billing_mode, credit_limit, status, deleted_at, search FROM circuits)",
            "circuit_moves", "ledger", "plans", "rate_decks", "resellers", "dids", "did_assignments", "billing_contracts",
            "billing_avulsos", "billing_pending_items", "billing_records", "billing_history", "webhook_endpoints",
            // the outbox sender claims and marks rows in the background: only which rows exist counts
            "(SELECT id FROM outbox)", "audit_log",
        ];
        var sql = string.Join(" || '|' || ", tables.Select(t => $"(SELECT coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM {t} x)"));
        await using var cmd = cluster.Db.CreateCommand("SELECT " + sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task WhenAnAdminWriteCarriesTextOrNumbersTheDatabaseCannotHold_ThenItIsA400NamingTheFieldAndNothingChanges(string name)
    {
        var world = await WorldAsync();
        var c = Cases[name];
        var admin = cluster.AsAdmin();
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Url(world));
        if (c.Body?.Invoke(world) is HttpContent raw) request.Content = raw;
        else if (c.Body is not null)
        {
            var node = JsonSerializer.SerializeToNode(c.Body(world), JsonSerializerOptions.Web)!;
            if (c.Mutate is not null) node = c.Mutate(node);
            request.Content = new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json");
        }
        var before = await FingerprintAsync();
        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(c.Field, out _), $"{name}: {text}");
        Assert.Equal(before, await FingerprintAsync());
    }
}
