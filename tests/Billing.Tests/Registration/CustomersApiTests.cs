using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.GrainInterfaces.Registration;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Registration;

/// <summary>The customers API against the real cluster (silo + API + PostgreSQL).</summary>
[Collection(ClusterCollection.Name)]
public sealed class CustomersApiTests(ClusterFixture cluster)
{
    private static string Tag() => "T" + Guid.NewGuid().ToString("N")[..10];

    private static object Body(string nome, string documento, string? cep = "01310-100", string? uf = "SP",
        string? cidade = "São Paulo", string? razaoSocial = null) => new
        {
            nome,
            documento,
            razaoSocial,
            inscricaoEstadual = "isento",
            cep,
            uf,
            cidade,
            bairro = "Bela Vista",
            logradouro = "Av. Paulista",
            numero = "1000",
            complemento = "conj. 12",
            observacoes = "cliente de teste",
        };

    private async Task<JsonElement> CreateOk(HttpClient http, object body)
    {
        var r = await http.PostAsJsonAsync("/api/customers", body);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"{(int)r.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<long> CountRows(string sql, params (string Name, object Value)[] args)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task WhenACustomerIsCreated_ThenItIsReadBackFormattedWithANumericId()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var created = await CreateOk(http, Body("Demo PABX " + Tag(), cpf));

        Assert.Equal(JsonValueKind.Number, created.GetProperty("id").ValueKind);
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(TaxId.Format(cpf), created.GetProperty("documento").GetString());
        Assert.Equal("PF", created.GetProperty("tipoPessoa").GetString());
        Assert.Equal("01310-100", created.GetProperty("cep").GetString());
        Assert.Equal("Brasil", created.GetProperty("pais").GetString());
        Assert.Equal("ISENTO", created.GetProperty("inscricaoEstadual").GetString());

        var r = await http.GetAsync($"/api/customers/{id}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var got = await Json(r);
        Assert.Equal(created.GetProperty("nome").GetString(), got.GetProperty("nome").GetString());
        Assert.Equal("SP", got.GetProperty("uf").GetString());
        Assert.Equal(0, got.GetProperty("contatos").GetArrayLength());

        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE id = @id AND documento = @d AND deleted_at IS NULL",
            ("id", id), ("d", cpf)));
    }

    [Fact]
    public async Task WhenAnAlphanumericCnpjIsRegistered_ThenItIsStoredUpperCaseAndShownMasked()
    {
        using var http = cluster.AsAdmin();
        var cnpj = Docs.AlphaCnpj();
        var lower = TaxId.Format(cnpj).ToLowerInvariant();
        var created = await CreateOk(http, Body("Alfa " + Tag(), lower, razaoSocial: "Alfa Telecom Ltda"));
        Assert.Equal(TaxId.Format(cnpj), created.GetProperty("documento").GetString());
        Assert.Equal("PJ", created.GetProperty("tipoPessoa").GetString());
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE documento = @d", ("d", cnpj)));
    }

    [Fact]
    public async Task WhenACustomerIsUpdated_ThenTheChangeIsStoredAndAuditedFieldByField()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var nome = "Elza Eletrônica " + Tag();
        var id = (await CreateOk(http, Body(nome, cpf))).GetProperty("id").GetInt64();

        var r = await http.PutAsJsonAsync($"/api/customers/{id}", Body(nome, cpf, cidade: "Campinas"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("Campinas", (await Json(r)).GetProperty("cidade").GetString());
        Assert.Equal("Campinas", (await Json(await http.GetAsync($"/api/customers/{id}"))).GetProperty("cidade").GetString());

        var audit = await Json(await http.GetAsync($"/api/audit?entity=customer&id={id}"));
        var items = audit.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, audit.GetProperty("total").GetInt64());
        var updated = items.Single(i => i.GetProperty("action").GetString() == "updated");
        Assert.Equal("key:admin", updated.GetProperty("actor").GetString());
        var changes = updated.GetProperty("changes");
        Assert.Equal(["cidade"], changes.EnumerateObject().Select(p => p.Name));
        Assert.Equal("São Paulo", changes.GetProperty("cidade").GetProperty("before").GetString());
        Assert.Equal("Campinas", changes.GetProperty("cidade").GetProperty("after").GetString());
        var createdEntry = items.Single(i => i.GetProperty("action").GetString() == "created");
        Assert.Equal(TaxId.Format(cpf), createdEntry.GetProperty("changes").GetProperty("documento").GetProperty("after").GetString());
        Assert.Equal(JsonValueKind.Null, createdEntry.GetProperty("changes").GetProperty("nome").GetProperty("before").ValueKind);
    }

    [Fact]
    public async Task WhenACustomerIsDeleted_ThenItIsGoneFromReadsAndItsDocumentCanBeReused()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var tag = Tag();
        var id = (await CreateOk(http, Body("Apagar " + tag, cpf))).GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"/api/customers/{id}")).StatusCode);
        var list = await Json(await http.GetAsync($"/api/customers?search={tag}"));
        Assert.Equal(0, list.GetProperty("total").GetInt64());
        // history kept: the row is soft-deleted, the audit has the deletion
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE id = @id AND deleted_at IS NOT NULL", ("id", id)));
        Assert.Equal(1, await CountRows(
            "SELECT count(*) FROM audit_log WHERE entity = 'customer' AND entity_id = @id AND action = 'deleted'",
            ("id", id.ToString(CultureInfo.InvariantCulture))));

        await CreateOk(http, Body("Reaproveita " + tag, cpf));
    }

    [Fact]
    public async Task WhenASecondCustomerHasTheSameDocument_Then409AndNothingStored()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var tag = Tag();
        await CreateOk(http, Body("Primeiro " + tag, TaxId.Format(cpf)));

        var r = await http.PostAsJsonAsync("/api/customers", Body("Segundo " + tag, cpf));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var pd = await Json(r);
        Assert.Equal("Conflito", pd.GetProperty("title").GetString());
        Assert.Contains(TaxId.Format(cpf), pd.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE documento = @d", ("d", cpf)));

        // and an update onto someone else's document
        var other = (await CreateOk(http, Body("Terceiro " + tag, Docs.Cpf()))).GetProperty("id").GetInt64();
        var u = await http.PutAsJsonAsync($"/api/customers/{other}", Body("Terceiro " + tag, cpf));
        Assert.Equal(HttpStatusCode.Conflict, u.StatusCode);
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE documento = @d", ("d", cpf)));
        Assert.Equal("Terceiro " + tag, (await Json(await http.GetAsync($"/api/customers/{other}"))).GetProperty("nome").GetString());
    }

    public static TheoryData<string, string, string?, string?, string> BadInputs() => new()
    {
        // nome, documento, cep, uf, expected field
        { "Cliente", "529.982.247-24", "01310-100", "SP", "documento" },
        { "Cliente", "111.111.111-11", "01310-100", "SP", "documento" },
        { "Cliente", "11.222.333/0001-82", "01310-100", "SP", "documento" },
        { "Cliente", "12.ABC.345/01DE-36", "01310-100", "SP", "documento" },
        { "Cliente", "", "01310-100", "SP", "documento" },
        { "Cliente", "VALID", "1310-100", "SP", "cep" },
        { "Cliente", "VALID", "01310-10X", "SP", "cep" },
        { "Cliente", "VALID", "01310-100", "XX", "uf" },
        { "", "VALID", "01310-100", "SP", "nome" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task WhenTheInputIsInvalid_Then400WithTheFieldAndNothingStored(
        string nome, string documento, string? cep, string? uf, string field)
    {
        using var http = cluster.AsAdmin();
        var tag = Tag();
        var doc = documento == "VALID" ? Docs.Cpf() : documento;
        var before = await CountRows("SELECT count(*) FROM customers");
        var r = await http.PostAsJsonAsync("/api/customers", Body(nome.Length == 0 ? " " : nome + " " + tag, doc, cep, uf));

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var pd = await Json(r);
        Assert.Equal("Dados inválidos", pd.GetProperty("title").GetString());
        var errors = pd.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Equal(before, await CountRows("SELECT count(*) FROM customers"));
        Assert.Equal(0, await CountRows("SELECT count(*) FROM customers WHERE nome LIKE @n", ("n", "%" + tag)));
    }

    [Fact]
    public async Task WhenAnUpdateIsInvalid_Then400AndTheCustomerIsUnchanged()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var nome = "Fixo " + Tag();
        var id = (await CreateOk(http, Body(nome, cpf))).GetProperty("id").GetInt64();
        var r = await http.PutAsJsonAsync($"/api/customers/{id}", Body(nome, cpf, uf: "ZZ", cidade: "Outra"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await Json(r)).GetProperty("errors").TryGetProperty("uf", out _));
        Assert.Equal("São Paulo", (await Json(await http.GetAsync($"/api/customers/{id}"))).GetProperty("cidade").GetString());
        Assert.Equal(1, await CountRows(
            "SELECT count(*) FROM audit_log WHERE entity = 'customer' AND entity_id = @id",
            ("id", id.ToString(CultureInfo.InvariantCulture))));
    }

    [Fact]
    public async Task WhenTheGrainIsCalledDirectlyWithBadData_ThenItRefusesAndStoresNothing()
    {
        var id = 9_000_000_000L + Random.Shared.Next(1_000_000);
        var result = await cluster.Grains.Customer(id).Create(
            new CustomerData { Nome = "Direto", Documento = "123.456.789-00", Uf = "XX" }, "test");
        Assert.Equal(Billing.GrainInterfaces.Common.CommandStatus.Invalid, result.Status);
        Assert.NotNull(result.Errors);
        Assert.Contains("documento", result.Errors.Keys);
        Assert.Contains("uf", result.Errors.Keys);
        Assert.Null(await cluster.Grains.Customer(id).Get());
        Assert.Equal(0, await CountRows("SELECT count(*) FROM customers WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task WhenSearchingByNameOrDocument_ThenTheCustomerIsFound()
    {
        using var http = cluster.AsAdmin();
        var tag = Tag();
        var cnpj = Docs.Cnpj();
        var id = (await CreateOk(http, Body($"José Assessoria Jurídica {tag} ME", cnpj, razaoSocial: $"Razão Única {tag} Ltda")))
            .GetProperty("id").GetInt64();

        foreach (var term in new[]
                 {
                     $"jose assessoria juridica {tag}".ToLowerInvariant(), // no accents, lower case
                     $"JOSÉ ASSESSORIA JURÍDICA {tag}",
                     $"razao unica {tag}",
                     TaxId.Format(cnpj), // formatted
                     cnpj, // digits only
                     TaxId.Format(cnpj)[..10], // a formatted prefix
                 })
        {
            var page = await Json(await http.GetAsync("/api/customers?search=" + Uri.EscapeDataString(term)));
            var ids = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
            Assert.True(ids.Contains(id), $"busca '{term}' não achou o cliente {id}");
            var item = page.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetInt64() == id);
            Assert.Equal(TaxId.Format(cnpj), item.GetProperty("documento").GetString());
            Assert.Equal("PJ", item.GetProperty("tipoPessoa").GetString());
        }

        var none = await Json(await http.GetAsync("/api/customers?search=" + Uri.EscapeDataString(tag + "-nada")));
        Assert.Equal(0, none.GetProperty("total").GetInt64());
        var wildcard = await Json(await http.GetAsync("/api/customers?search=" + Uri.EscapeDataString("%_%" + tag)));
        Assert.Equal(0, wildcard.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task WhenListingWithPagination_ThenPagesAreOrderedAndCounted()
    {
        using var http = cluster.AsAdmin();
        var tag = Tag();
        foreach (var n in new[] { "E", "C", "A", "D", "B" })
            await CreateOk(http, Body($"Pag {tag} {n}", Docs.Cpf()));

        var p1 = await Json(await http.GetAsync($"/api/customers?search={tag}&page=1&pageSize=2"));
        Assert.Equal(5, p1.GetProperty("total").GetInt64());
        Assert.Equal(3, p1.GetProperty("totalPages").GetInt64());
        Assert.Equal(1, p1.GetProperty("page").GetInt32());
        Assert.Equal(2, p1.GetProperty("pageSize").GetInt32());
        Assert.Equal([$"Pag {tag} A", $"Pag {tag} B"], p1.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("nome").GetString()));
        var p3 = await Json(await http.GetAsync($"/api/customers?search={tag}&page=3&pageSize=2"));
        Assert.Equal([$"Pag {tag} E"], p3.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("nome").GetString()));
        var p4 = await Json(await http.GetAsync($"/api/customers?search={tag}&page=4&pageSize=2"));
        Assert.Equal(0, p4.GetProperty("items").GetArrayLength());

        var all = await Json(await http.GetAsync("/api/customers"));
        Assert.Equal(50, all.GetProperty("pageSize").GetInt32());

        var tooBig = await http.GetAsync("/api/customers?pageSize=501");
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.True((await Json(tooBig)).GetProperty("errors").TryGetProperty("pageSize", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/customers?page=0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/customers?pageSize=500")).StatusCode);
    }

    [Fact]
    public async Task WhenContactsAreAddedUpdatedAndRemoved_ThenTheCustomerShowsThemAndTheAuditRecordsThem()
    {
        using var http = cluster.AsAdmin();
        var id = (await CreateOk(http, Body("Contatos " + Tag(), Docs.Cpf()))).GetProperty("id").GetInt64();
        var baseUrl = $"/api/customers/{id}/contacts";

        var r1 = await http.PostAsJsonAsync(baseUrl, new { nome = "Ana", email = "ana@empresa.com.br", telefone = "+55 11 3000-0000", cargo = "Financeiro" });
        Assert.Equal(HttpStatusCode.Created, r1.StatusCode);
        var c1 = await Json(r1);
        var c1Id = c1.GetProperty("id").GetInt64();
        Assert.Equal($"{baseUrl}/{c1Id}", r1.Headers.Location?.OriginalString);
        var r2 = await http.PostAsJsonAsync(baseUrl, new { nome = "Bruno", email = "noc@EMPRESA.com.br", cargo = "NOC" });
        var c2Id = (await Json(r2)).GetProperty("id").GetInt64();
        Assert.NotEqual(c1Id, c2Id);
        Assert.Equal("noc@empresa.com.br", (await Json(await http.GetAsync($"{baseUrl}/{c2Id}"))).GetProperty("email").GetString());

        var bad = await http.PostAsJsonAsync(baseUrl, new { nome = "Carla", email = "carla@" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Json(bad)).GetProperty("errors").TryGetProperty("email", out _));
        var badUpdate = await http.PutAsJsonAsync($"{baseUrl}/{c1Id}", new { nome = "Ana", email = "sem arroba" });
        Assert.Equal(HttpStatusCode.BadRequest, badUpdate.StatusCode);

        var up = await http.PutAsJsonAsync($"{baseUrl}/{c1Id}", new { nome = "Ana Souza", email = "ana@empresa.com.br", cargo = "Diretoria" });
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Equal("Ana Souza", (await Json(up)).GetProperty("nome").GetString());

        var list = await Json(await http.GetAsync(baseUrl));
        Assert.Equal(["Ana Souza", "Bruno"], list.EnumerateArray().Select(c => c.GetProperty("nome").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"{baseUrl}/{c2Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"{baseUrl}/{c2Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync($"{baseUrl}/{c2Id}")).StatusCode);
        var customer = await Json(await http.GetAsync($"/api/customers/{id}"));
        Assert.Equal(["Ana Souza"], customer.GetProperty("contatos").EnumerateArray().Select(c => c.GetProperty("nome").GetString()));
        Assert.Equal(1, await CountRows("SELECT contatos FROM customers WHERE id = @id", ("id", id)));

        var audit = await Json(await http.GetAsync($"/api/audit?entity=customer&id={id}"));
        var actions = audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.Equal(["contact_removed", "contact_updated", "contact_added", "contact_added", "created"], actions);
        var upd = audit.GetProperty("items")[1].GetProperty("changes");
        Assert.Equal("Diretoria", upd.GetProperty($"contatos[{c1Id}].cargo").GetProperty("after").GetString());
        Assert.Equal("Financeiro", upd.GetProperty($"contatos[{c1Id}].cargo").GetProperty("before").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/api/customers/999999999/contacts", new { nome = "X" })).StatusCode);
    }

    [Fact]
    public async Task WhenTheCustomerStillHasCircuits_ThenDeleteIs409UntilTheyAreGone()
    {
        using var http = cluster.AsAdmin();
        var id = (await CreateOk(http, Body("Com circuito " + Tag(), Docs.Cpf()))).GetProperty("id").GetInt64();
        var account = "99" + Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        await using (var ins = cluster.Db.CreateCommand(
            """
            INSERT INTO circuits (account, name, customer_id, area_code, billing_mode, status, created_at, updated_at)
            VALUES (@a, 'teste', @c, '11', 'postpaid', 'ativo', now(), now())
            """))
        {
            ins.Parameters.AddWithValue("a", account);
            ins.Parameters.AddWithValue("c", id);
            await ins.ExecuteNonQueryAsync();
        }

        var r = await http.DeleteAsync($"/api/customers/{id}");
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Contains("circuito", (await Json(r)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/customers/{id}")).StatusCode);

        await using (var del = cluster.Db.CreateCommand("UPDATE circuits SET deleted_at = now() WHERE account = @a"))
        {
            del.Parameters.AddWithValue("a", account);
            await del.ExecuteNonQueryAsync();
        }
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/customers/{id}")).StatusCode);
    }

    [Fact]
    public async Task WhenTwoCustomersWithTheSameDocumentAreCreatedAtOnce_ThenExactlyOneWins()
    {
        using var http = cluster.AsAdmin();
        var cnpj = Docs.Cnpj();
        var tag = Tag();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            http.PostAsJsonAsync("/api/customers", Body($"Corrida {tag} {i}", i % 2 == 0 ? cnpj : TaxId.Format(cnpj)))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE documento = @d", ("d", cnpj)));
        Assert.Equal(1, await CountRows(
            "SELECT count(*) FROM audit_log a JOIN customers c ON c.id::text = a.entity_id WHERE a.entity = 'customer' AND c.documento = @d",
            ("d", cnpj)));
    }

    [Fact]
    public async Task WhenTheAuditIsFilteredByIdWithoutEntity_Then400()
    {
        using var http = cluster.AsAdmin();
        var r = await http.GetAsync("/api/audit?id=1");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.True((await Json(r)).GetProperty("errors").TryGetProperty("entity", out _));
        var all = await Json(await http.GetAsync("/api/audit?entity=customer&pageSize=1"));
        Assert.Equal(1, all.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task WhenMigration0004RunsAgain_ThenItSucceedsAndKeepsTheData()
    {
        var sql = Billing.Silo.Hosting.Migrator.Scripts().Single(s => s.Version == "0004_customers").Sql;
        var before = await CountRows("SELECT count(*) FROM customers");
        await using (var cmd = cluster.Db.CreateCommand(sql))
            await cmd.ExecuteNonQueryAsync();
        Assert.Equal(before, await CountRows("SELECT count(*) FROM customers"));
        Assert.Equal(1, await CountRows("SELECT count(*) FROM pg_indexes WHERE indexname = 'ux_customers_documento'"));
    }

    [Fact]
    public async Task WhenTheReadModelRowIsLost_ThenTheNextActivationRestoresItFromTheGrainState()
    {
        using var http = cluster.AsAdmin();
        var cpf = Docs.Cpf();
        var id = (await CreateOk(http, Body("Reparo " + Tag(), cpf))).GetProperty("id").GetInt64();
        await using (var del = cluster.Db.CreateCommand("DELETE FROM customers WHERE id = @id"))
        {
            del.Parameters.AddWithValue("id", id);
            await del.ExecuteNonQueryAsync();
        }
        await Task.Delay(50);
        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.FromMilliseconds(10));

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/customers/{id}")).StatusCode);
        Assert.Equal(1, await CountRows("SELECT count(*) FROM customers WHERE id = @id AND documento = @d", ("id", id), ("d", cpf)));
    }

    [Fact]
    public async Task WhenTheSwitchKeyCallsTheCustomersApi_Then403()
    {
        using var http = cluster.AsSwitch();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/customers")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/audit?entity=customer")).StatusCode);
    }
}
