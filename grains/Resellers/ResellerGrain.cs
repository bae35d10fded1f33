using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Registration;
using Billing.GrainInterfaces.Resellers;
using Billing.Grains.Audit;
using Billing.Grains.Circuits;
using Npgsql;
using NpgsqlTypes;
using Orleans.Concurrency;

namespace Billing.Grains.Resellers;

/// <summary>
/// Reseller <c>rev:&lt;id&gt;</c>. The <c>resellers</c> row is its source of truth (commands write it and the
/// audit log in one transaction). Live totals: this month's inbound completion by day (America/Sao_Paulo),
/// loaded from the ledger on activation and then fed by circuits after each rated inbound call; call ids
/// already counted are remembered so a notification and the activation load never count a call twice.
/// </summary>
[Reentrant]
public sealed class ResellerGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IResellerGrain
{
    private const string DocumentIndex = "ux_resellers_documento";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _id;
    private ResellerView? _view;
    private bool _deleted;

    private string _month = "";
    private readonly Dictionary<DateOnly, (int Calls, long Seconds, decimal Amount)> _days = [];
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal);

    private string IdText => _id.ToString(CultureInfo.InvariantCulture);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!ResellerKeys.TryParse(this.GetPrimaryKeyString(), out _id))
            throw new ArgumentException($"Chave de revenda inválida: '{this.GetPrimaryKeyString()}' (esperado rev:<id>).");
        await LoadAsync(cancellationToken);
        await LoadMonthAsync(cancellationToken);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT nome, documento, email, telefone, observacoes, contatos::text, did_monthly_fee, completion_price,
                   created_at, updated_at, deleted_at IS NOT NULL
            FROM resellers WHERE id = @id
            """);
        cmd.Parameters.AddWithValue("id", _id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        _deleted = r.GetBoolean(10);
        _view = new ResellerView
        {
            Id = _id,
            Data = new ResellerData
            {
                Nome = r.GetString(0),
                Documento = r.GetString(1),
                Email = S(2),
                Telefone = S(3),
                Observacoes = S(4),
                Contatos = JsonSerializer.Deserialize<ImmutableArray<ResellerContact>>(r.GetString(5), Json),
                DidMonthlyFee = r.GetDecimal(6),
                CompletionPricePerMinute = r.GetDecimal(7),
            },
            CreatedAt = r.GetFieldValue<DateTimeOffset>(8),
            UpdatedAt = r.GetFieldValue<DateTimeOffset>(9),
        };
    }

    private static DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(SaoPauloTime.Local(at).DateTime);

    private async Task LoadMonthAsync(CancellationToken ct)
    {
        var today = LocalDay(clock.GetUtcNow());
        _month = BillingPeriod.Of(today).Key;
        _days.Clear();
        _counted.Clear();
        await using var cmd = db.CreateCommand(
            """
            SELECT call_id, started_at, coalesce(duration_seconds, 0), coalesce(reseller_amount, 0)
            FROM ledger, billing_period(@m) b
            WHERE reseller_id = @id AND kind = 'call' AND started_at >= b.period_start AND started_at < b.period_end
            """);
        cmd.Parameters.AddWithValue("id", _id);
        cmd.Parameters.AddWithValue("m", _month);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            Count(r.GetString(0), new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero), r.GetInt32(2), r.GetDecimal(3));
    }

    private void Count(string callId, DateTimeOffset startedAt, int seconds, decimal amount)
    {
        var day = LocalDay(startedAt);
        if (!string.Equals(BillingPeriod.Of(day).Key, _month, StringComparison.Ordinal)) return;
        if (!_counted.Add(callId)) return;
        var t = _days.GetValueOrDefault(day);
        _days[day] = (t.Calls + 1, t.Seconds + seconds, t.Amount + amount);
    }

    public async Task RecordCompletion(string callId, DateTimeOffset startedAt, int billedSeconds, decimal amount)
    {
        if (!string.Equals(BillingPeriod.Of(clock.GetUtcNow()).Key, _month, StringComparison.Ordinal))
            await LoadMonthAsync(CancellationToken.None); // month rolled over: start from the ledger again
        Count(callId, startedAt, billedSeconds, amount);
    }

    public async Task<ResellerTotals?> GetTotals()
    {
        if (_view is null || _deleted) return null;
        var today = LocalDay(clock.GetUtcNow());
        if (!string.Equals(BillingPeriod.Of(today).Key, _month, StringComparison.Ordinal))
            await LoadMonthAsync(CancellationToken.None);
        var days = _days.OrderBy(kv => kv.Key).Select(kv => new ResellerDayTotals(kv.Key, kv.Value.Calls, kv.Value.Seconds, kv.Value.Amount)).ToList();
        var t = _days.GetValueOrDefault(today);
        return new ResellerTotals(new ResellerDayTotals(today, t.Calls, t.Seconds, t.Amount), _month,
            days.Sum(d => d.Calls), days.Sum(d => d.Seconds), days.Sum(d => d.Amount), days);
    }

    public Task<ResellerView?> Get() => Task.FromResult(_deleted ? null : _view);

    public Task<decimal?> GetCompletionPrice() => Task.FromResult(_deleted || _view is null ? null : (decimal?)_view.Data.CompletionPricePerMinute);

    private static CommandResult Invalid(IReadOnlyList<FieldError> errors) =>
        CommandResult.Invalid(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal));

    private static Dictionary<string, string?> Flatten(ResellerData? d) => d is null ? [] : new(StringComparer.Ordinal)
    {
        ["nome"] = d.Nome,
        ["documento"] = d.Documento,
        ["email"] = d.Email,
        ["telefone"] = d.Telefone,
        ["observacoes"] = d.Observacoes,
        ["contatos"] = JsonSerializer.Serialize(d.Contatos.IsDefault ? [] : d.Contatos, Json),
        ["didMonthlyFee"] = d.DidMonthlyFee.ToString(CultureInfo.InvariantCulture),
        ["completionPricePerMinute"] = d.CompletionPricePerMinute.ToString(CultureInfo.InvariantCulture),
    };

    private static string SearchKey(string s) => CustomerRules.SearchKey(s);

    public async Task<CommandResult> Create(ResellerData data, string actor)
    {
        var errors = ResellerRules.Validate(data, out var d);
        if (errors.Count > 0) return Invalid(errors);
        await _lock.WaitAsync();
        try
        {
            if (_view is not null) return CommandResult.Conflict($"A revenda {IdText} já existe.");
            var now = clock.GetUtcNow();
            var ok = await WriteAsync(d, actor, "create", null, now, insert: true);
            if (ok is not null) return ok;
            _view = new ResellerView { Id = _id, Data = d, CreatedAt = now, UpdatedAt = now };
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<CommandResult> Update(ResellerData data, string actor)
    {
        var errors = ResellerRules.Validate(data, out var d);
        if (errors.Count > 0) return Invalid(errors);
        await _lock.WaitAsync();
        try
        {
            if (_view is null || _deleted) return CommandResult.NotFound($"Revenda {IdText} não encontrada.");
            var now = clock.GetUtcNow();
            var problem = await WriteAsync(d, actor, "update", _view.Data, now, insert: false);
            if (problem is not null) return problem;
            _view = _view with { Data = d, UpdatedAt = now };
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<CommandResult?> WriteAsync(ResellerData d, string actor, string action, ResellerData? before, DateTimeOffset now, bool insert)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand(insert
            ? """
              INSERT INTO resellers (id, nome, documento, tipo_pessoa, email, telefone, observacoes, contatos, did_monthly_fee,
                                     completion_price, nome_busca, busca, created_at, updated_at)
              VALUES (@id, @nome, @doc, @tipo, @email, @tel, @obs, @contatos, @fee, @price, @nb, @busca, @now, @now)
              """
            : """
              UPDATE resellers SET nome = @nome, documento = @doc, tipo_pessoa = @tipo, email = @email, telefone = @tel,
                     observacoes = @obs, contatos = @contatos, did_monthly_fee = @fee, completion_price = @price,
                     nome_busca = @nb, busca = @busca, updated_at = @now
              WHERE id = @id
              """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", _id);
            cmd.Parameters.AddWithValue("nome", d.Nome);
            cmd.Parameters.AddWithValue("doc", d.Documento);
            cmd.Parameters.AddWithValue("tipo", TaxId.TipoPessoa(d.Documento));
            cmd.Parameters.AddWithValue("email", (object?)d.Email ?? DBNull.Value);
            cmd.Parameters.AddWithValue("tel", (object?)d.Telefone ?? DBNull.Value);
            cmd.Parameters.AddWithValue("obs", (object?)d.Observacoes ?? DBNull.Value);
            cmd.Parameters.Add(new NpgsqlParameter("contatos", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(d.Contatos, Json) });
            cmd.Parameters.AddWithValue("fee", d.DidMonthlyFee);
            cmd.Parameters.AddWithValue("price", d.CompletionPricePerMinute);
            cmd.Parameters.AddWithValue("nb", SearchKey(d.Nome));
            cmd.Parameters.AddWithValue("busca", SearchKey(d.Nome + " " + d.Documento + " " + (d.Email ?? "")));
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            try
            {
                await cmd.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == DocumentIndex)
            {
                return CommandResult.Conflict($"Já existe uma revenda com o documento {TaxId.Format(d.Documento)}.");
            }
        }
        await AuditLog.WriteAsync(conn, tx, now, actor, "reseller", IdText, action, AuditLog.Diff(before is null ? null : Flatten(before), Flatten(d)));
        await tx.CommitAsync();
        return null;
    }

    public async Task<CommandResult> Delete(string actor)
    {
        await _lock.WaitAsync();
        try
        {
            if (_view is null || _deleted) return CommandResult.NotFound($"Revenda {IdText} não encontrada.");
            var now = clock.GetUtcNow();
            await using var conn = await db.OpenConnectionAsync();
            await using (var check = new NpgsqlCommand("SELECT count(*) FROM dids WHERE reseller_id = @id AND account IS NOT NULL", conn))
            {
                check.Parameters.AddWithValue("id", _id);
                var inService = (long)(await check.ExecuteScalarAsync())!;
                if (inService > 0) return CommandResult.Conflict($"A revenda tem {inService} DID(s) em serviço; libere-os antes.");
            }
            await using var tx = await conn.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand("UPDATE resellers SET deleted_at = @now, updated_at = @now WHERE id = @id", conn, tx))
            {
                cmd.Parameters.AddWithValue("id", _id);
                cmd.Parameters.AddWithValue("now", now.UtcDateTime);
                await cmd.ExecuteNonQueryAsync();
            }
            await AuditLog.WriteAsync(conn, tx, now, actor, "reseller", IdText, "delete", AuditLog.Diff(Flatten(_view.Data), null));
            await tx.CommitAsync();
            _deleted = true;
            return CommandResult.Ok;
        }
        finally
        {
            _lock.Release();
        }
    }
}
