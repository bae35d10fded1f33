using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Audit;
using Billing.Grains.Ledger;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Billing.Grains.Circuits;

/// <summary>
/// A circuit (SIP account): registration data, and the live balance, reservations and period totals
/// of its calls. Reentrant: every state change happens in a synchronous block; awaits are for
/// durability (ledger, storage) only, so calls of one circuit pipeline into the ledger's group commit.
/// </summary>
[Reentrant]
public sealed partial class CircuitGrain(
    [PersistentState("circuit", BillingSettings.StorageName)] IPersistentState<CircuitState> state,
    CircuitStore store,
    ILedger ledger,
    TimeProvider clock,
    IOptions<CallOptions> options,
    IOptions<SipOptions> sipOptions,
    ILogger<CircuitGrain> log)
    : Grain, ICircuitGrain
{
    private readonly CallOptions _opt = options.Value;
    private readonly SemaphoreSlim _adminLock = new(1, 1);
    private string _account = "";

    // registration (REGISTER / keepalive reports): in memory, mirrored to the circuits row for the list
    private string? _ip;
    private int? _port;
    private string? _transport;
    private string? _userAgent;
    private int? _latencyMs;
    private DateTimeOffset? _registeredAt;
    private DateTimeOffset? _expiresAt;
    private DateTimeOffset? _seenAt;
    private DateTimeOffset _seenWrittenAt;
    private int? _latencyWritten;

    private bool Live => _s.Exists && !_s.Deleted;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        _account = key.StartsWith(CircuitKeys.Prefix, StringComparison.Ordinal) ? key[CircuitKeys.Prefix.Length..] : key;
        _s = Clone(state.State);
        _view = new LedgerView(_s, clock);
        if (_s.Exists)
        {
            await ReplayAsync(cancellationToken);
            await LoadHoldsAsync(cancellationToken);
        }
        await LoadAlarmsAsync(cancellationToken);
        var tick = TimeSpan.FromSeconds(Math.Max(1, _opt.TimerSeconds));
        this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(tick, tick)
        {
            Interleave = true,
            KeepAlive = false,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await AlarmWritesSettled();
        _book.Abandon(); // in-memory reservations end with the activation
        if (_s.Exists && _view.Dirty) await TryWriteSnapshotAsync();
    }

    private DateTimeOffset Now => clock.GetUtcNow();

    public Task<CircuitView?> Get() => Task.FromResult(Live ? View() : null);

    private CircuitView View() => new()
    {
        Account = _account,
        Data = _s.Data,
        Balance = _view.Balance,
        HasWebPassword = _s.WebPasswordHash is not null,
        HasSipPassword = _s.SipHa1 is not null,
        Ip = _ip,
        Port = _port,
        Transport = _transport,
        UserAgent = _userAgent,
        LatencyMs = _latencyMs,
        RegisteredAt = _registeredAt,
        ExpiresAt = _expiresAt,
        RegistrationStatus = CircuitKeys.RegistrationStatus(_seenAt, _latencyMs, Now, TimeSpan.FromSeconds(_opt.RegistrationTtlSeconds), _expiresAt),
        CreatedAt = _s.CreatedAt,
        ActiveCalls = _book.Count,
    };

    private async Task<CommandResult?> CheckReferencesAsync(CircuitData data)
    {
        var errors = CircuitRules.Validate(data);
        if (errors.Count > 0) return CommandResult.Invalid(errors);
        if (!await store.CustomerExistsAsync(data.CustomerId))
            return CommandResult.Invalid("customerId", "Cliente não encontrado.");
        if (data.PlanId is { } planId && await GrainFactory.GetGrain<IPlanGrain>("plan:" + planId).Get() is null)
            return CommandResult.Invalid("planId", "Plano não encontrado.");
        return null;
    }

    public async Task<CommandResult> Create(CircuitData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!CircuitKeys.IsValidAccount(_account))
            return CommandResult.Invalid("account", "O número do circuito deve ter de 1 a 20 dígitos.");
        await _adminLock.WaitAsync();
        try
        {
            if (_s.Exists || await store.AccountTakenAsync(_account))
                return CommandResult.Conflict($"O circuito {_account} já existe (o número de um circuito excluído não é reaproveitado).");
            if (await CheckReferencesAsync(data) is { } problem) return problem;

            var now = Now;
            await using var conn = await store.Db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            // the customer row is share-locked until commit: a concurrent customer delete waits and then sees this circuit
            if (!await CircuitStore.LockCustomerAsync(conn, tx, data.CustomerId))
                return CommandResult.Invalid("customerId", "Cliente não encontrado.");
            await CircuitStore.UpsertAsync(conn, tx, _account, data, 0m, now, now);
            await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, "create",
                AuditLog.Diff(null, CircuitRules.Flatten(data)));
            _s.Exists = true;
            _s.Deleted = false;
            _s.Data = data;
            _s.CreatedAt = now;
            try
            {
                await PersistAsync();
            }
            catch
            {
                _s.Exists = false;
                throw;
            }
            await tx.CommitAsync();
            SyncThresholds();
            CheckLowBalance(lifted: true);
            await Invoicing.InvoiceScheduling.TryScheduleAsync(GrainFactory, _account, data, log);
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public async Task<CommandResult> Update(CircuitData data, string actor)
    {
        ArgumentNullException.ThrowIfNull(data);
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            if (data.CustomerId != _s.Data.CustomerId)
                return CommandResult.Invalid("customerId", "Para trocar o cliente use POST /api/circuits/{account}/move.");
            if (await CheckReferencesAsync(data) is { } problem) return problem;
            var before = _s.Data;
            var changes = AuditLog.Diff(CircuitRules.Flatten(before), CircuitRules.Flatten(data));
            if (changes.Count == 0) return CommandResult.Ok;
            await SaveAdminChangeAsync(data, actor, "update", changes);
            SyncThresholds();
            CheckLowBalance(lifted: true);
            await Invoicing.InvoiceScheduling.TryScheduleAsync(GrainFactory, _account, data, log);
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    private async Task SaveAdminChangeAsync(CircuitData data, string actor, string action,
        IReadOnlyDictionary<string, FieldChange> changes, Func<Npgsql.NpgsqlConnection, Npgsql.NpgsqlTransaction, Task>? extra = null)
    {
        var now = Now;
        var before = _s.Data;
        await using var conn = await store.Db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CircuitStore.UpsertAsync(conn, tx, _account, data, _s.Balance, _s.CreatedAt, now);
        await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, action, changes);
        if (extra is not null) await extra(conn, tx);
        _s.Data = data;
        try
        {
            await PersistAsync();
        }
        catch
        {
            _s.Data = before;
            throw;
        }
        _view.MarkPersisted();
        await tx.CommitAsync();
    }

    public async Task<CommandResult> Delete(string actor)
    {
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            if (_book.Count > 0)
                return CommandResult.Conflict($"O circuito tem {_book.Count} chamada(s) em andamento; tente de novo quando terminarem.");
            var open = await store.OpenInvoicesAsync(_account);
            if (open > 0)
                return CommandResult.Conflict($"O circuito tem {open} fatura(s) ainda não fechada(s).");
            var now = Now;
            await using var conn = await store.Db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var cmd = new Npgsql.NpgsqlCommand("UPDATE circuits SET deleted_at = @now, updated_at = @now WHERE account = @a", conn, tx))
            {
                cmd.Parameters.AddWithValue("a", _account);
                cmd.Parameters.AddWithValue("now", now.UtcDateTime);
                await cmd.ExecuteNonQueryAsync();
            }
            await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, "delete",
                AuditLog.Diff(CircuitRules.Flatten(_s.Data), null));
            _s.Deleted = true;
            try
            {
                await PersistAsync();
            }
            catch
            {
                _s.Deleted = false;
                throw;
            }
            await tx.CommitAsync();
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public async Task<CommandResult> Move(long customerId, string actor)
    {
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            var from = _s.Data.CustomerId;
            if (customerId == from) return CommandResult.Invalid("customerId", "O circuito já pertence a este cliente.");
            if (customerId <= 0 || !await store.CustomerExistsAsync(customerId))
                return CommandResult.Invalid("customerId", "Cliente não encontrado.");
            var now = Now;
            var period = BillingPeriod.Of(now, _s.Data.Invoice.ClosingDay).Key;
            var data = _s.Data with { CustomerId = customerId };
            await SaveAdminChangeAsync(data, actor, "move", AuditLog.Diff(CircuitRules.Flatten(_s.Data), CircuitRules.Flatten(data)),
                async (conn, tx) =>
                {
                    if (!await CircuitStore.LockCustomerAsync(conn, tx, customerId))
                        throw new InvalidOperationException($"Cliente {customerId} foi excluído durante a mudança.");
                    await using var cmd = new Npgsql.NpgsqlCommand(
                        """
                        INSERT INTO circuit_moves (account, from_customer_id, to_customer_id, moved_at, effective_period, actor)
                        VALUES (@a, @f, @t, @at, @p, @actor)
                        """, conn, tx);
                    cmd.Parameters.AddWithValue("a", _account);
                    cmd.Parameters.AddWithValue("f", from);
                    cmd.Parameters.AddWithValue("t", customerId);
                    cmd.Parameters.AddWithValue("at", now.UtcDateTime);
                    cmd.Parameters.AddWithValue("p", period);
                    cmd.Parameters.AddWithValue("actor", actor);
                    await cmd.ExecuteNonQueryAsync();
                });
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public async Task<CommandResult> SetWebPassword(string password, string actor)
    {
        if (WebPassword.Problem(password) is { } problem) return CommandResult.Invalid("password", problem);
        // PBKDF2 on the thread pool, outside this grain's turn: the circuit's calls go on meanwhile (the grain is reentrant)
        var hash = await Task.Run(() => WebPassword.Hash(password));
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            var previous = _s.WebPasswordHash;
            var now = Now;
            await using var conn = await store.Db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, "set-web-password",
                new Dictionary<string, FieldChange> { ["webPassword"] = new(previous is null ? null : "***", "***") });
            _s.WebPasswordHash = hash;
            try
            {
                await PersistAsync();
            }
            catch
            {
                _s.WebPasswordHash = previous;
                throw;
            }
            await tx.CommitAsync();
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public Task<WebLogin?> GetWebLogin() =>
        Task.FromResult(Live && _s.Data.Flags.Web && _s.WebPasswordHash is { } hash ? new WebLogin(hash, WebPassword.Stamp(hash)) : null);

    public async Task<CommandResult> SetSipPassword(string password, string actor)
    {
        if (SipPassword.Problem(password) is { } problem) return CommandResult.Invalid("sipPassword", problem);
        var realm = sipOptions.Value.Realm;
        var ha1 = SipPassword.Ha1(_account, realm, password);
        await _adminLock.WaitAsync();
        try
        {
            if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
            var (previous, previousRealm) = (_s.SipHa1, _s.SipRealm);
            var now = Now;
            await using var conn = await store.Db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await CircuitStore.SetSipHa1Async(conn, tx, _account, ha1, realm, now);
            await AuditLog.WriteAsync(conn, tx, now, actor, "circuit", _account, "set-sip-password",
                new Dictionary<string, FieldChange> { ["sipPassword"] = new(previous is null ? null : "***", "***") });
            _s.SipHa1 = ha1;
            _s.SipRealm = realm;
            try
            {
                await PersistAsync();
            }
            catch
            {
                (_s.SipHa1, _s.SipRealm) = (previous, previousRealm);
                throw;
            }
            await tx.CommitAsync();
            return CommandResult.Ok;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    public Task<string?> GetSipHa1(string realm) =>
        Task.FromResult(Live && _s.SipHa1 is { } ha1 && string.Equals(_s.SipRealm, realm, StringComparison.Ordinal) ? ha1 : null);

    public async Task<CommandResult> ReportRegistration(SipRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
        var problems = registration.Problems();
        if (problems.Count > 0) return CommandResult.Invalid(problems[0].Field, problems[0].Message);
        var now = Now;
        if (registration.ExpiresSeconds == 0)
        {
            // de-REGISTER: Offline at once; the last address stays visible
            _registeredAt = null;
            _expiresAt = null;
            _seenAt = null;
            await store.UpdateRegistrationAsync(_account, _ip, _port, _transport, _userAgent, _latencyMs, null, null, null);
            return CommandResult.Ok;
        }
        _ip = registration.Ip;
        _port = registration.Port;
        _transport = registration.Transport;
        _userAgent = registration.UserAgent;
        // a REGISTER carries no round trip: the last keepalive's stays until the next one measures it again
        _latencyMs = registration.LatencyMs ?? _latencyMs;
        _registeredAt = now;
        _expiresAt = registration.ExpiresSeconds is { } s ? now.AddSeconds(s) : null;
        _seenAt = now;
        await store.UpdateRegistrationAsync(_account, _ip, _port, _transport, _userAgent, _latencyMs, now, _expiresAt, now);
        (_seenWrittenAt, _latencyWritten) = (now, _latencyMs);
        return CommandResult.Ok;
    }

    public async Task<CommandResult> ReportKeepalive(int latencyMs)
    {
        if (!Live) return CommandResult.NotFound($"Circuito {_account} não encontrado.");
        if (latencyMs is < 0 or > SipRegistration.MaxLatencyMs)
            return CommandResult.Invalid("latencyMs", $"Latência deve estar entre 0 e {SipRegistration.MaxLatencyMs} ms.");
        var now = Now;
        _latencyMs = latencyMs;
        // a keepalive that overtook its REGISTER (or outlived a de-REGISTER) leaves the status as it is
        if (_registeredAt is null) return CommandResult.Ok;
        _seenAt = now;
        // the list's row is rewritten when the round trip changes or a third of the TTL went by, not on every ping
        if (_latencyWritten != latencyMs || now - _seenWrittenAt >= TimeSpan.FromSeconds(_opt.RegistrationTtlSeconds / 3.0))
        {
            await store.UpdateSeenAsync(_account, latencyMs, now);
            (_seenWrittenAt, _latencyWritten) = (now, latencyMs);
        }
        return CommandResult.Ok;
    }
}
