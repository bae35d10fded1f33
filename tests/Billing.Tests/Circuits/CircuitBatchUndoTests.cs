using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Tests.AdminWeb;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Circuits;

/// <summary>A failed "Novo Lote" leaves nothing behind and burns no number; a circuit in use cannot be undone.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CircuitBatchUndoTests(ClusterFixture cluster)
{
    private async Task<long> Count(string sql, string account)
    {
        await using var cmd = cluster.Db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("a", account);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Backends of this test database waiting for the share lock a circuit creation takes on its customer.</summary>
    private async Task<long> CreatesWaitingOnCustomerLock()
    {
        await using var cmd = cluster.Db.CreateCommand(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM customers WHERE id = %FOR SHARE%'
            """);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task WaitForWaiters(long n)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await CreatesWaitingOnCustomerLock() >= n) return;
            await Task.Delay(50);
        }
        Assert.Fail($"{n} criações esperando o cliente não apareceram");
    }

    /// <summary>
    /// A concurrent creation takes <paramref name="rival"/> after the batch checked it was free: the customer row is held
    /// (FOR UPDATE) so that both the rival and the batch's first creation wait, then both go on; the rival holds its
    /// circuit's admin lock since before the batch started, so the batch's creation of that number is the one refused.
    /// </summary>
    private async Task<T> RaceAsync<T>(long customer, string rival, Func<Task<T>> sendBatch)
    {
        Task<CommandResult> rivalCreate;
        Task<T> batch;
        await using (var conn = await cluster.Db.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await using (var hold = new Npgsql.NpgsqlCommand("SELECT 1 FROM customers WHERE id = @id FOR UPDATE", conn, tx))
            {
                hold.Parameters.AddWithValue("id", customer);
                await hold.ExecuteScalarAsync();
            }
            var baseline = await CreatesWaitingOnCustomerLock();
            rivalCreate = cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + rival)
                .Create(new CircuitData { Name = "Rival", CustomerId = customer, AreaCode = "11" }, "rival");
            await WaitForWaiters(baseline + 1);
            batch = sendBatch();
            await WaitForWaiters(baseline + 2);
            await tx.RollbackAsync();
        }
        Assert.True((await rivalCreate).IsOk);
        return await batch;
    }

    [Fact]
    public async Task WhenABatchFailsOnItsFourthCircuit_ThenNoCircuitIsLeftAndTheNextBatchGetsTheSameNumbers()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var start = Seed.NewAccountRange(5);
        var accounts = Enumerable.Range(0, 5).Select(i => (start + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var rival = accounts[3];

        var failed = await RaceAsync(customer, rival, () => admin.PostAsJsonAsync("/api/circuits/batch", new
        {
            range = new { from = start, to = start + 4 },
            settings = new { name = "Lote", customerId = customer, areaCode = "21" },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        var errors = (await failed.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("accounts[3]", out _), errors.ToString());
        Assert.Single(errors.EnumerateObject());

        // nothing of the batch is left: no row, no live grain; the undo is audited
        foreach (var a in accounts.Where(a => a != rival))
        {
            Assert.Equal(0, await Count("SELECT count(*) FROM circuits WHERE account = @a", a));
            Assert.Null(await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + a).Get());
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/circuits/{a}")).StatusCode);
            Assert.Equal(1, await Count("SELECT count(*) FROM audit_log WHERE entity = 'circuit' AND entity_id = @a AND action = 'undo-create'", a));
        }
        Assert.Equal("Rival", (await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + rival).Get())!.Data.Name);

        // the same numbers (without the one the rival took) are free for the next batch
        var retry = await admin.PostAsJsonAsync("/api/circuits/batch", new
        {
            accounts = accounts.Where(a => a != rival).ToArray(),
            settings = new { name = "Lote", customerId = customer, areaCode = "21" },
        });
        Assert.True(retry.StatusCode == HttpStatusCode.Created, await retry.Content.ReadAsStringAsync());
        Assert.Equal(4, (await retry.JsonAsync()).GetProperty("created").GetInt32());
        foreach (var a in accounts.Where(a => a != rival))
        {
            var got = await (await admin.GetAsync($"/api/circuits/{a}")).JsonAsync();
            Assert.Equal("21", got.GetProperty("areaCode").GetString());
            Assert.Equal(0m, got.GetProperty("balance").GetDecimal());
            Assert.Equal(1, await Count("SELECT count(*) FROM circuits WHERE account = @a AND deleted_at IS NULL", a));
        }
    }

    [Fact]
    public async Task WhenTheNovoLotePageFailsOnItsThirdCircuit_ThenThePageSaysSo_AndNoCircuitIsLeft_AndTheSamePageCreatesTheRestAfter()
    {
        var web = await AdminWebServer.ForAsync(cluster);
        using var http = web.Http();
        await AdminHttpTests.LoginAsync(http);
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);
        var start = Seed.NewAccountRange(4);
        var accounts = Enumerable.Range(0, 4).Select(i => (start + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var rival = accounts[2];
        var name = "Lote página " + Guid.NewGuid().ToString("N")[..6];

        async Task<HttpResponseMessage> Post(Dictionary<string, string> accountsField)
        {
            var token = AdminHttpTests.TokenRegex().Match(await http.GetStringAsync("/admin/circuitos/lote")).Groups[1].Value;
            var form = new Dictionary<string, string>(accountsField)
            {
                ["Input.Name"] = name,
                ["Input.CustomerId"] = customer.ToString(CultureInfo.InvariantCulture),
                ["Input.AreaCode"] = "21",
                ["__RequestVerificationToken"] = token,
            };
            return await http.PostAsync("/admin/circuitos/lote", new FormUrlEncodedContent(form));
        }

        // the page's post goes through the same all-or-none batch as the API: refused, the page shown again with the error
        var failed = await RaceAsync(customer, rival, () => Post(new()
        {
            ["De"] = start.ToString(CultureInfo.InvariantCulture),
            ["Ate"] = (start + 3).ToString(CultureInfo.InvariantCulture),
        }));
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        var html = WebUtility.HtmlDecode(await failed.Content.ReadAsStringAsync());
        Assert.Contains("id=\"problema\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"field-error\"", html, StringComparison.Ordinal);
        foreach (var a in accounts.Where(a => a != rival))
        {
            Assert.Equal(0, await Count("SELECT count(*) FROM circuits WHERE account = @a", a));
            Assert.Null(await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + a).Get());
            Assert.Equal(1, await Count("SELECT count(*) FROM audit_log WHERE entity = 'circuit' AND entity_id = @a AND action = 'undo-create'", a));
        }

        // the freed numbers are created by the page on the next try, by list
        var retry = await Post(new() { ["Lista"] = string.Join("\n", accounts.Where(a => a != rival)) });
        Assert.True(retry.StatusCode == HttpStatusCode.Redirect, await retry.Content.ReadAsStringAsync());
        foreach (var a in accounts.Where(a => a != rival))
        {
            var got = await (await admin.GetAsync($"/api/circuits/{a}")).JsonAsync();
            Assert.Equal(name, got.GetProperty("name").GetString());
            Assert.Equal("21", got.GetProperty("areaCode").GetString());
        }
        Assert.Equal("Rival", (await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + rival).Get())!.Data.Name);
    }

    [Fact]
    public async Task WhenACircuitWasUsedOrDeleted_ThenItsCreationCannotBeUndoneAndItsNumberStaysTaken()
    {
        var admin = cluster.AsAdmin();
        var customer = await Seed.CustomerAsync(admin);

        // money moved: Conflict, and the circuit with its balance stays
        var credited = await Seed.CircuitAsync(admin, customer, null);
        await Seed.CreditAsync(admin, credited, 5m);
        var grain = cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + credited);
        Assert.Equal(CommandStatus.Conflict, (await grain.UndoCreate("test")).Status);
        Assert.Equal(5m, (await grain.GetBalance())!.Balance);
        Assert.Equal(1, await Count("SELECT count(*) FROM circuits WHERE account = @a AND deleted_at IS NULL", credited));

        // a row elsewhere refers to it (a billing contract): Conflict, read from PostgreSQL by a fresh activation
        var contracted = await Seed.CircuitAsync(admin, customer, null);
        var contract = await admin.PostAsJsonAsync("/api/billing/contracts", new
        {
            customerId = customer, name = "Circuito", kind = "circuito", account = contracted, timing = "posterior", dayOfMonth = 5,
            startDate = "2026-01-01",
        });
        Assert.True(contract.StatusCode == HttpStatusCode.Created, await contract.Content.ReadAsStringAsync());
        var undo = await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + contracted).UndoCreate("test");
        Assert.Equal(CommandStatus.Conflict, undo.Status);
        Assert.Contains("contratos", undo.Message, StringComparison.Ordinal);
        Assert.NotNull(await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + contracted).Get());

        // deleted (soft): the number stays taken, and there is nothing left to undo
        var deleted = await Seed.CircuitAsync(admin, customer, null);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/circuits/{deleted}")).StatusCode);
        Assert.Equal(CommandStatus.NotFound, (await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + deleted).UndoCreate("test")).Status);
        var again = await admin.PostAsJsonAsync("/api/circuits", new { account = deleted, name = "x", customerId = customer, areaCode = "11" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var batch = await admin.PostAsJsonAsync("/api/circuits/batch", new
        {
            accounts = new[] { deleted },
            settings = new { name = "Lote", customerId = customer, areaCode = "21" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, batch.StatusCode);

        // an unused circuit: undone, then its number can be created again (a new circuit, a clean slate)
        var unused = await Seed.CircuitAsync(admin, customer, null);
        Assert.True((await cluster.Grains.GetGrain<ICircuitGrain>(CircuitKeys.Prefix + unused).UndoCreate("test")).IsOk);
        Assert.Equal(0, await Count("SELECT count(*) FROM circuits WHERE account = @a", unused));
        var recreated = await admin.PostAsJsonAsync("/api/circuits", new { account = unused, name = "De novo", customerId = customer, areaCode = "31" });
        Assert.True(recreated.StatusCode == HttpStatusCode.Created, await recreated.Content.ReadAsStringAsync());
        Assert.Equal("De novo", (await (await admin.GetAsync($"/api/circuits/{unused}")).JsonAsync()).GetProperty("name").GetString());
    }
}
