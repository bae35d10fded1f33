using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Grains.Invoicing;
using Billing.Grains.PendingBilling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Billing.Grains.Circuits;

/// <summary>
/// Low-balance alerts (issue 19). Each threshold in force is Dormant (never seen at or above: nothing to alert), Armed
/// (at or above since its last alert) or Fired (alerted, waiting for a credit to lift the available balance back).
/// <see cref="CheckLowBalance"/> runs synchronously after every change of the available balance (a hold written, a call
/// rated, a credit or debit, the timer): one turn flips Armed → Fired, so concurrent calls crossing the same threshold
/// alert once. The durable side — the threshold's row in <c>circuit_balance_alerts</c>, the e-mail (outbox) and the
/// webhook, in one transaction — is queued behind the answer (never awaited by authorize/complete), in order; a fire
/// sets the row only while it is not fired, so a retry or another activation never alerts twice. A write that fails
/// puts the threshold back to Armed and the next check (the timer at the latest) tries again. On activation the rows are
/// read back after the ledger replay and the holds: a crossing whose write a crash lost is found Armed and below, and
/// alerted then.
/// </summary>
public sealed partial class CircuitGrain
{
    private enum Alarm
    {
        Dormant,
        Armed,
        Fired,
    }

    private readonly Dictionary<decimal, Alarm> _alarms = [];
    private ImmutableArray<decimal> _thresholds = [];
    private IReadOnlyList<decimal> _defaultThresholds = [];
    private bool _alarmsLoaded;
    private bool _thresholdsSynced;
    private Task _alarmWrites = Task.CompletedTask;

    /// <summary>On activation, after the replay and the holds: the thresholds' durable state, then a first check.</summary>
    private async Task LoadAlarmsAsync(CancellationToken ct)
    {
        _defaultThresholds = ServiceProvider.GetService<IOptions<LowBalanceOptions>>()?.Value.DefaultThresholds ?? [];
        // a circuit without thresholds (the default when none is configured) reads nothing: its rows, if any, were
        // deleted when its thresholds were taken away (SyncThresholds)
        if (_s.Exists && !LowBalanceRules.Effective(_s.Data.LowBalanceThresholds, _defaultThresholds).IsEmpty)
            foreach (var (threshold, fired) in await LowBalanceStore.ReadAsync(store.Db, _account, ct))
                _alarms[threshold] = fired ? Alarm.Fired : Alarm.Armed;
        _alarmsLoaded = true;
        SyncThresholds();
        CheckLowBalance(lifted: false);
    }

    /// <summary>The thresholds in force after a change of the circuit's data: new ones start Dormant, removed ones are forgotten.</summary>
    private void SyncThresholds()
    {
        if (!_alarmsLoaded) return;
        var effective = LowBalanceRules.Effective(_s.Data.LowBalanceThresholds, _defaultThresholds);
        var first = !_thresholdsSynced;
        _thresholdsSynced = true;
        if (effective.SequenceEqual(_thresholds) && _alarms.Count == effective.Length) return;
        // after the first sync of this activation a change of the list also deletes rows this activation never read
        var changed = !first && !effective.SequenceEqual(_thresholds);
        _thresholds = effective;
        var removed = _alarms.Keys.Where(t => !effective.Contains(t)).ToList();
        foreach (var t in removed) _alarms.Remove(t);
        foreach (var t in effective) _alarms.TryAdd(t, Alarm.Dormant);
        if ((removed.Count > 0 || changed) && _s.Exists)
        {
            var keep = effective.ToArray();
            QueueAlarmWrite(async () =>
            {
                try
                {
                    await LowBalanceStore.ForgetAsync(store.Db, _account, keep);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    log.LogWarning(e, "Circuito {Account}: limites de saldo baixo removidos não apagados", _account);
                }
            });
        }
    }

    /// <summary>
    /// Compares the available balance with every threshold (synchronous, no I/O: a few decimal comparisons on the hot
    /// path). <paramref name="lifted"/>: a credit or an admin change — only they re-arm a fired threshold.
    /// </summary>
    private void CheckLowBalance(bool lifted)
    {
        if (!_alarmsLoaded || _thresholds.IsEmpty || !Live) return;
        var available = Available;
        List<decimal>? fire = null;
        List<(decimal Threshold, Alarm Before)>? arm = null;
        foreach (var t in _thresholds)
        {
            var state = _alarms[t];
            if (state == Alarm.Armed && available < t)
            {
                _alarms[t] = Alarm.Fired;
                (fire ??= []).Add(t);
            }
            else if (available >= t && (state == Alarm.Dormant || (state == Alarm.Fired && lifted)))
            {
                _alarms[t] = Alarm.Armed;
                (arm ??= []).Add((t, state));
            }
        }
        if (arm is not null) QueueAlarmWrite(() => ArmAsync(arm));
        if (fire is not null) QueueAlarmWrite(() => FireAsync(fire, available));
    }

    /// <summary>Runs <paramref name="write"/> after the writes queued before it (in order; each handles its own failure).</summary>
    private void QueueAlarmWrite(Func<Task> write)
    {
        var before = _alarmWrites;
        _alarmWrites = After(before, write);

        static async Task After(Task before, Func<Task> write)
        {
            await before;
            await write();
        }
    }

    private async Task ArmAsync(List<(decimal Threshold, Alarm Before)> thresholds)
    {
        try
        {
            await LowBalanceStore.ArmAsync(store.Db, _account, thresholds.Select(t => t.Threshold).ToArray(), Now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Circuito {Account}: rearme dos limites de saldo baixo não gravado", _account);
            foreach (var (t, before) in thresholds)
                if (_alarms.TryGetValue(t, out var now) && now == Alarm.Armed) _alarms[t] = before;
        }
    }

    private async Task FireAsync(List<decimal> thresholds, decimal available)
    {
        try
        {
            var customer = await GrainFactory.GetGrain<Billing.GrainInterfaces.Registration.ICustomerGrain>(
                Billing.GrainInterfaces.Registration.CustomerKeys.For(_s.Data.CustomerId)).Get();
            var to = InvoiceEmails.ToInvoiceCustomer(_s.Data.CustomerId, customer);
            var now = Now;
            await using var conn = await store.Db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            var alerted = 0;
            foreach (var t in thresholds)
            {
                if (!await LowBalanceStore.FireAsync(conn, tx, _account, t, available, now)) continue; // already alerted
                alerted++;
                if (to.Emails.Count > 0)
                    await OutboxStore.EnqueueAsync(conn, tx, LowBalanceEmail(to.Nome, to.Emails, t, available), now);
                await WebhookOutbox.EnqueueAsync(conn, tx, LowBalanceRules.WebhookEvent,
                    new { account = _account, threshold = t, available }, now);
            }
            await tx.CommitAsync();
            if (alerted > 0)
                log.LogInformation("Circuito {Account}: saldo disponível {Available} abaixo de {Thresholds}: alerta enfileirado",
                    _account, available, string.Join(", ", thresholds));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Circuito {Account}: alerta de saldo baixo não gravado; tenta de novo na próxima verificação", _account);
            foreach (var t in thresholds)
                if (_alarms.TryGetValue(t, out var state) && state == Alarm.Fired) _alarms[t] = Alarm.Armed;
        }
    }

    private OutboxMessage LowBalanceEmail(string customerName, IReadOnlyList<string> recipients, decimal threshold, decimal available)
    {
        var subject = $"Saldo baixo no circuito {_account}: disponível {Money.Format(available)} (abaixo de {Money.Format(threshold)})";
        var body =
            $"""
            Olá, {customerName}.

            O saldo disponível do circuito {_account} ({_s.Data.Name}) ficou abaixo de {Money.Format(threshold)}.
            Saldo disponível agora: {Money.Format(available)}

            Faça uma recarga para não ter as chamadas bloqueadas por saldo insuficiente.
            """;
        return new OutboxMessage("low_balance", null, recipients, subject, body);
    }

    public Task<LowBalanceStatus?> GetLowBalance()
    {
        if (!Live) return Task.FromResult<LowBalanceStatus?>(null);
        var available = Available;
        return Task.FromResult<LowBalanceStatus?>(new LowBalanceStatus
        {
            Thresholds = _thresholds,
            Available = available,
            Below = LowBalanceRules.Below(available, _thresholds),
            Fired = [.. _thresholds.Where(t => _alarms.TryGetValue(t, out var s) && s == Alarm.Fired)],
        });
    }

    /// <summary>Waits for the queued alert writes (deactivation; a credit answers once its re-arm is durable).</summary>
    private Task AlarmWritesSettled() => _alarmWrites;
}

/// <summary>The <c>circuit_balance_alerts</c> table, written only by the circuit grain (<see cref="CircuitGrain"/>).</summary>
internal static class LowBalanceStore
{
    public static async Task<List<(decimal Threshold, bool Fired)>> ReadAsync(NpgsqlDataSource db, string account, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT threshold, fired FROM circuit_balance_alerts WHERE account = @a");
        cmd.Parameters.AddWithValue("a", account);
        var rows = new List<(decimal, bool)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) rows.Add((r.GetDecimal(0), r.GetBoolean(1)));
        return rows;
    }

    public static async Task ArmAsync(NpgsqlDataSource db, string account, decimal[] thresholds, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand(
            """
            INSERT INTO circuit_balance_alerts (account, threshold, fired, changed_at)
            SELECT @a, t, false, @now FROM unnest(@t) AS t
            ON CONFLICT (account, threshold) DO UPDATE SET fired = false, changed_at = EXCLUDED.changed_at
            WHERE circuit_balance_alerts.fired
            """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("t", thresholds);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Marks the threshold fired; false when it already was (this crossing was alerted: queue nothing).</summary>
    public static async Task<bool> FireAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string account, decimal threshold,
        decimal available, DateTimeOffset now)
    {
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO circuit_balance_alerts (account, threshold, fired, alerts, available, fired_at, changed_at)
            VALUES (@a, @t, true, 1, @av, @now, @now)
            ON CONFLICT (account, threshold) DO UPDATE SET fired = true, alerts = circuit_balance_alerts.alerts + 1,
                available = EXCLUDED.available, fired_at = EXCLUDED.fired_at, changed_at = EXCLUDED.changed_at
            WHERE NOT circuit_balance_alerts.fired
            """, conn, tx);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("t", threshold);
        cmd.Parameters.AddWithValue("av", Money.Round(available));
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public static async Task ForgetAsync(NpgsqlDataSource db, string account, decimal[] keep)
    {
        await using var cmd = db.CreateCommand("DELETE FROM circuit_balance_alerts WHERE account = @a AND NOT (threshold = ANY(@k))");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("k", keep);
        await cmd.ExecuteNonQueryAsync();
    }
}
