using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Registration;
using Billing.Grains.Audit;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Billing.Grains.Registration;

[GenerateSerializer, Alias("Billing.CustomerState")]
public sealed class CustomerState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Deleted { get; set; }
    [Id(2)] public CustomerData Data { get; set; } = new();
    [Id(3)] public List<Contact> Contacts { get; set; } = [];
    [Id(4)] public long NextContactId { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(7)] public DateTimeOffset? DeletedAt { get; set; }
    [Id(8)] public long Version { get; set; }

    public CustomerState Clone() => new()
    {
        Exists = Exists,
        Deleted = Deleted,
        Data = Data,
        Contacts = [.. Contacts],
        NextContactId = NextContactId,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        DeletedAt = DeletedAt,
        Version = Version,
    };
}

/// <summary>
/// Customer <c>cus:&lt;id&gt;</c>. Every command: validate (again — the API validated first), then in one
/// PostgreSQL transaction upsert the <c>customers</c> read-model row and append to <c>audit_log</c>,
/// persist the grain state, and only then commit. A failed state write rolls the transaction back;
/// a commit lost after the state write is repaired on the next activation (the row is re-upserted
/// from the state when its version differs).
/// </summary>
public sealed class CustomerGrain(
    [PersistentState("customer", BillingSettings.StorageName)] IPersistentState<CustomerState> state,
    NpgsqlDataSource db,
    TimeProvider clock,
    ILogger<CustomerGrain> log)
    : Grain, ICustomerGrain
{
    public const string Entity = "customer";
    private const string DocumentIndex = "ux_customers_documento";
    private long _id;

    private string IdText => _id.ToString(CultureInfo.InvariantCulture);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!CustomerKeys.TryParse(this.GetPrimaryKeyString(), out _id))
            throw new ArgumentException($"Chave de cliente inválida: '{this.GetPrimaryKeyString()}' (esperado cus:<id>).");
        if (!state.State.Exists) return;
        try
        {
            await using var conn = await db.OpenConnectionAsync(cancellationToken);
            await UpsertRow(conn, null, state.State, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            log.LogWarning(e, "Cliente {Id}: não foi possível sincronizar o read model na ativação", _id);
        }
    }

    public async Task<CommandResult> SetReseller(long? resellerId, long? onlyFromReseller, string actor)
    {
        // reseller_id is not part of the registration state: the row is the truth, changed under a row lock
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        long? before;
        await using (var read = new NpgsqlCommand("SELECT reseller_id FROM customers WHERE id = @c AND deleted_at IS NULL FOR UPDATE", conn, tx))
        {
            read.Parameters.AddWithValue("c", _id);
            await using var r = await read.ExecuteReaderAsync();
            if (!await r.ReadAsync())
                return CommandResult.NotFound(onlyFromReseller is { } from0 ? NotLinked(from0) : $"Cliente {IdText} não encontrado.");
            before = r.IsDBNull(0) ? null : r.GetInt64(0);
        }
        if (onlyFromReseller is { } from && before != from) return CommandResult.NotFound(NotLinked(from));
        await using (var upd = new NpgsqlCommand("UPDATE customers SET reseller_id = @r WHERE id = @c", conn, tx))
        {
            upd.Parameters.AddWithValue("c", _id);
            upd.Parameters.AddWithValue("r", (object?)resellerId ?? DBNull.Value);
            await upd.ExecuteNonQueryAsync();
        }
        var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal)
        {
            ["resellerId"] = new(before?.ToString(CultureInfo.InvariantCulture), resellerId?.ToString(CultureInfo.InvariantCulture)),
        };
        await AuditLog.WriteAsync(conn, tx, clock.GetUtcNow(), actor, Entity, IdText, "reseller", changes);
        await tx.CommitAsync();
        return CommandResult.Ok;
    }

    private string NotLinked(long resellerId) =>
        string.Create(CultureInfo.InvariantCulture, $"O cliente {_id} não pertence à revenda {resellerId}.");

    public Task<CustomerView?> Get() =>
        Task.FromResult(state.State.Exists && !state.State.Deleted ? View(state.State) : null);

    public async Task<CommandResult<CustomerView>> Create(CustomerData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (state.State.Exists)
            return CommandResult<CustomerView>.Conflict($"O cliente {IdText} já existe.");
        var errors = CustomerRules.Validate(data, out var normalized);
        if (errors.Count > 0) return FieldError.Invalid<CustomerView>(errors);

        var now = clock.GetUtcNow();
        var next = new CustomerState
        {
            Exists = true,
            Data = normalized,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        var changes = AuditLog.Diff(null, CustomerFields.Of(normalized));
        var conflict = await Commit(next, actor, "created", changes);
        return conflict is null ? CommandResult<CustomerView>.Ok(View(state.State)) : CommandResult<CustomerView>.Conflict(conflict);
    }

    public async Task<CommandResult<CustomerView>> Update(CustomerData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Live) return CommandResult<CustomerView>.NotFound(NotFoundText);
        var errors = CustomerRules.Validate(data, out var normalized);
        if (errors.Count > 0) return FieldError.Invalid<CustomerView>(errors);

        var changes = AuditLog.Diff(CustomerFields.Of(state.State.Data), CustomerFields.Of(normalized));
        if (changes.Count == 0) return CommandResult<CustomerView>.Ok(View(state.State));
        var next = state.State.Clone();
        next.Data = normalized;
        Touch(next);
        var conflict = await Commit(next, actor, "updated", changes);
        return conflict is null ? CommandResult<CustomerView>.Ok(View(state.State)) : CommandResult<CustomerView>.Conflict(conflict);
    }

    public async Task<CommandResult<CustomerView>> Delete(string actor)
    {
        if (!Live) return CommandResult<CustomerView>.NotFound(NotFoundText);
        var next = state.State.Clone();
        next.Deleted = true;
        Touch(next);
        next.DeletedAt = next.UpdatedAt;
        var changes = AuditLog.Diff(CustomerFields.Of(state.State.Data), null);
        var conflict = await Commit(next, actor, "deleted", changes, checkCircuits: true);
        return conflict is null ? CommandResult<CustomerView>.Ok(View(state.State)) : CommandResult<CustomerView>.Conflict(conflict);
    }

    public async Task<CommandResult<Contact>> AddContact(ContactData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Live) return CommandResult<Contact>.NotFound(NotFoundText);
        var errors = CustomerRules.Validate(data, out var n);
        if (errors.Count > 0) return FieldError.Invalid<Contact>(errors);

        var next = state.State.Clone();
        var contact = new Contact
        {
            Id = ++next.NextContactId,
            Nome = n.Nome,
            Email = n.Email,
            Telefone = n.Telefone,
            Cargo = n.Cargo,
        };
        next.Contacts.Add(contact);
        Touch(next);
        await Commit(next, actor, "contact_added", AuditLog.Diff(null, CustomerFields.Of(contact)));
        return CommandResult<Contact>.Ok(contact);
    }

    public async Task<CommandResult<Contact>> UpdateContact(long contactId, ContactData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!Live) return CommandResult<Contact>.NotFound(NotFoundText);
        var index = state.State.Contacts.FindIndex(c => c.Id == contactId);
        if (index < 0) return CommandResult<Contact>.NotFound(ContactNotFound(contactId));
        var errors = CustomerRules.Validate(data, out var n);
        if (errors.Count > 0) return FieldError.Invalid<Contact>(errors);

        var before = state.State.Contacts[index];
        var after = before with { Nome = n.Nome, Email = n.Email, Telefone = n.Telefone, Cargo = n.Cargo };
        var changes = AuditLog.Diff(CustomerFields.Of(before), CustomerFields.Of(after));
        if (changes.Count == 0) return CommandResult<Contact>.Ok(before);
        var next = state.State.Clone();
        next.Contacts[index] = after;
        Touch(next);
        await Commit(next, actor, "contact_updated", changes);
        return CommandResult<Contact>.Ok(after);
    }

    public async Task<CommandResult<Contact>> RemoveContact(long contactId, string actor)
    {
        if (!Live) return CommandResult<Contact>.NotFound(NotFoundText);
        var index = state.State.Contacts.FindIndex(c => c.Id == contactId);
        if (index < 0) return CommandResult<Contact>.NotFound(ContactNotFound(contactId));
        var removed = state.State.Contacts[index];
        var next = state.State.Clone();
        next.Contacts.RemoveAt(index);
        Touch(next);
        await Commit(next, actor, "contact_removed", AuditLog.Diff(CustomerFields.Of(removed), null));
        return CommandResult<Contact>.Ok(removed);
    }

    private bool Live => state.State.Exists && !state.State.Deleted;

    private string NotFoundText => $"Cliente {IdText} não encontrado.";

    private string ContactNotFound(long contactId) =>
        string.Create(CultureInfo.InvariantCulture, $"Contato {contactId} não encontrado no cliente {_id}.");

    private void Touch(CustomerState next)
    {
        next.UpdatedAt = clock.GetUtcNow();
        next.Version++;
    }

    /// <summary>
    /// Writes read model + audit entry + grain state atomically (as far as two stores allow). Returns null
    /// on success or a pt-BR conflict message (nothing stored).
    /// </summary>
    private async Task<string?> Commit(CustomerState next, string actor, string action,
        IReadOnlyDictionary<string, FieldChange> changes, bool checkCircuits = false)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        if (checkCircuits)
        {
            var circuits = await CountCircuits(conn, tx);
            if (circuits > 0)
                return string.Create(CultureInfo.InvariantCulture,
                    $"O cliente {_id} ainda tem {circuits} circuito(s) vinculado(s): mova-os ou exclua-os antes de excluir o cliente.");
        }
        try
        {
            await UpsertRow(conn, tx, next, CancellationToken.None);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == DocumentIndex)
        {
            await tx.RollbackAsync();
            var owner = await OwnerOf(conn, next.Data.Documento);
            var kind = TaxId.KindOf(next.Data.Documento) == TaxIdKind.Cpf ? "CPF" : "CNPJ";
            return string.Create(CultureInfo.InvariantCulture,
                $"Já existe um cliente com o {kind} {TaxId.Format(next.Data.Documento)}{(owner is { } o ? $" (cliente {o})" : "")}.");
        }
        await AuditLog.WriteAsync(conn, tx, next.UpdatedAt, actor, Entity, IdText, action, changes);

        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            DeactivateOnIdle(); // reload state from storage on next call
            throw; // the transaction is rolled back when disposed
        }
        await tx.CommitAsync();
        return null;
    }

    private async Task<long> CountCircuits(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        // lock the customer row so a circuit being linked concurrently (FOR SHARE on it) waits for us
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM customers WHERE id = @id FOR UPDATE", conn, tx))
        {
            lockRow.Parameters.AddWithValue("id", _id);
            await lockRow.ExecuteScalarAsync();
        }
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('public.circuits') IS NOT NULL", conn, tx))
        {
            if (await exists.ExecuteScalarAsync() is not true) return 0;
        }
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM circuits WHERE customer_id = @id AND deleted_at IS NULL", conn, tx);
        count.Parameters.AddWithValue("id", _id);
        return Convert.ToInt64(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<long?> OwnerOf(NpgsqlConnection conn, string documento)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT id FROM customers WHERE documento = @d AND deleted_at IS NULL", conn);
        cmd.Parameters.AddWithValue("d", documento);
        return await cmd.ExecuteScalarAsync() is long id ? id : null;
    }

    private async Task UpsertRow(NpgsqlConnection conn, NpgsqlTransaction? tx, CustomerState s, CancellationToken ct)
    {
        var d = s.Data;
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO customers (id, nome, documento, tipo_pessoa, razao_social, inscricao_estadual, cep, pais, uf,
                cidade, bairro, logradouro, numero, complemento, observacoes, contatos, nome_busca, busca, version,
                created_at, updated_at, deleted_at)
            VALUES (@id, @nome, @documento, @tipo, @razao, @ie, @cep, @pais, @uf,
                @cidade, @bairro, @logradouro, @numero, @complemento, @obs, @contatos, @nome_busca, @busca, @version,
                @created, @updated, @deleted)
            ON CONFLICT (id) DO UPDATE SET
                nome = EXCLUDED.nome, documento = EXCLUDED.documento, tipo_pessoa = EXCLUDED.tipo_pessoa,
                razao_social = EXCLUDED.razao_social, inscricao_estadual = EXCLUDED.inscricao_estadual,
                cep = EXCLUDED.cep, pais = EXCLUDED.pais, uf = EXCLUDED.uf, cidade = EXCLUDED.cidade,
                bairro = EXCLUDED.bairro, logradouro = EXCLUDED.logradouro, numero = EXCLUDED.numero,
                complemento = EXCLUDED.complemento, observacoes = EXCLUDED.observacoes, contatos = EXCLUDED.contatos,
                nome_busca = EXCLUDED.nome_busca, busca = EXCLUDED.busca, version = EXCLUDED.version,
                updated_at = EXCLUDED.updated_at, deleted_at = EXCLUDED.deleted_at
            WHERE customers.version IS DISTINCT FROM EXCLUDED.version
            """, conn, tx);
        var p = cmd.Parameters;
        p.AddWithValue("id", _id);
        p.AddWithValue("nome", d.Nome);
        p.AddWithValue("documento", d.Documento);
        p.AddWithValue("tipo", TaxId.TipoPessoa(d.Documento));
        p.AddWithValue("razao", (object?)d.RazaoSocial ?? DBNull.Value);
        p.AddWithValue("ie", (object?)d.InscricaoEstadual ?? DBNull.Value);
        p.AddWithValue("cep", (object?)d.Cep ?? DBNull.Value);
        p.AddWithValue("pais", d.Pais ?? CustomerRules.DefaultCountry);
        p.AddWithValue("uf", (object?)d.Uf ?? DBNull.Value);
        p.AddWithValue("cidade", (object?)d.Cidade ?? DBNull.Value);
        p.AddWithValue("bairro", (object?)d.Bairro ?? DBNull.Value);
        p.AddWithValue("logradouro", (object?)d.Logradouro ?? DBNull.Value);
        p.AddWithValue("numero", (object?)d.Numero ?? DBNull.Value);
        p.AddWithValue("complemento", (object?)d.Complemento ?? DBNull.Value);
        p.AddWithValue("obs", (object?)d.Observacoes ?? DBNull.Value);
        p.AddWithValue("contatos", s.Contacts.Count);
        p.AddWithValue("nome_busca", CustomerRules.SearchKey(d.Nome));
        p.AddWithValue("busca", CustomerFields.SearchText(d));
        p.AddWithValue("version", s.Version);
        p.AddWithValue("created", s.CreatedAt.ToUniversalTime());
        p.AddWithValue("updated", s.UpdatedAt.ToUniversalTime());
        p.AddWithValue("deleted", s.DeletedAt is { } del ? del.ToUniversalTime() : DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private CustomerView View(CustomerState s) => new()
    {
        Id = _id,
        Data = s.Data,
        Contacts = [.. s.Contacts],
        CreatedAt = s.CreatedAt,
        UpdatedAt = s.UpdatedAt,
        Version = s.Version,
    };
}
