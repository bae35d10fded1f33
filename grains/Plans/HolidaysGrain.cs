using System.Collections.Immutable;
using System.Globalization;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Audit;
using Npgsql;

namespace Billing.Grains.Plans;

/// <summary>
/// The operator's holidays (key <c>holidays</c>): the only writer of the <c>holidays</c> table (migration 0016). The
/// rows are loaded on activation and kept in memory; circuits and the rating preview read them from here (circuits cache
/// them like their plan). Each change is written with its audit entry in one transaction, then applied in memory.
/// </summary>
public sealed class HolidaysGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IHolidaysGrain
{
    private ImmutableArray<Holiday> _holidays = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var list = ImmutableArray.CreateBuilder<Holiday>();
        await using var cmd = db.CreateCommand("SELECT id, date, name, uf FROM holidays ORDER BY date, id");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(new Holiday(r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));
        _holidays = list.ToImmutable();
    }

    public Task<ImmutableArray<Holiday>> List() => Task.FromResult(_holidays);

    public async Task<HolidayResult> Add(DateOnly date, string name, string? uf, string actor)
    {
        var errors = HolidayRules.Validate(date, name, uf);
        if (errors.Count > 0) return new HolidayResult(CommandResult.Invalid(errors), null);
        var cleanName = name.Trim();
        var cleanUf = Billing.GrainInterfaces.Registration.Uf.Normalize(uf);
        if (_holidays.Any(h => h.Date == date && string.Equals(h.Uf, cleanUf, StringComparison.Ordinal)))
            return new HolidayResult(CommandResult.Conflict(
                $"Já existe um feriado em {date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}{(cleanUf is null ? "" : " para " + cleanUf)}."), null);

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        long id;
        await using (var cmd = new NpgsqlCommand(
            "INSERT INTO holidays (date, name, uf, created_at, created_by) VALUES (@date, @name, @uf, @now, @actor) RETURNING id", conn, tx))
        {
            cmd.Parameters.AddWithValue("date", date);
            cmd.Parameters.AddWithValue("name", cleanName);
            cmd.Parameters.AddWithValue("uf", (object?)cleanUf ?? DBNull.Value);
            cmd.Parameters.AddWithValue("now", now.UtcDateTime);
            cmd.Parameters.AddWithValue("actor", actor);
            id = (long)(await cmd.ExecuteScalarAsync())!;
        }
        var holiday = new Holiday(id, date, cleanName, cleanUf);
        await AuditLog.WriteAsync(conn, tx, now, actor, "holiday", id.ToString(CultureInfo.InvariantCulture), "create",
            AuditLog.Diff(null, Flatten(holiday)));
        await tx.CommitAsync();
        _holidays = [.. _holidays.Add(holiday).OrderBy(h => h.Date).ThenBy(h => h.Id)];
        return new HolidayResult(CommandResult.Ok, holiday);
    }

    public async Task<CommandResult> Remove(long id, string actor)
    {
        var holiday = _holidays.FirstOrDefault(h => h.Id == id);
        if (holiday is null) return CommandResult.NotFound($"Feriado {id} não encontrado.");
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("DELETE FROM holidays WHERE id = @id", conn, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
        }
        await AuditLog.WriteAsync(conn, tx, now, actor, "holiday", id.ToString(CultureInfo.InvariantCulture), "delete",
            AuditLog.Diff(Flatten(holiday), null));
        await tx.CommitAsync();
        _holidays = _holidays.Remove(holiday);
        return CommandResult.Ok;
    }

    private static Dictionary<string, string?> Flatten(Holiday h) => new(StringComparer.Ordinal)
    {
        ["date"] = h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["name"] = h.Name,
        ["uf"] = h.Uf,
    };
}
