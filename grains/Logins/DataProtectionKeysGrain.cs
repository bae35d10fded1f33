using System.Collections.Immutable;
using Billing.GrainInterfaces.Logins;
using Npgsql;

namespace Billing.Grains.Logins;

/// <summary>Table <c>data_protection_keys</c> (migration 0010), used only by <see cref="DataProtectionKeysGrain"/>.</summary>
public sealed class DataProtectionKeyStore(NpgsqlDataSource db, TimeProvider clock)
{
    public async Task<List<DataProtectionKey>> LoadAsync(CancellationToken ct)
    {
        var keys = new List<DataProtectionKey>();
        await using var cmd = db.CreateCommand("SELECT friendly_name, xml FROM data_protection_keys ORDER BY id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) keys.Add(new DataProtectionKey(r.GetString(0), r.GetString(1)));
        return keys;
    }

    public async Task AddAsync(DataProtectionKey key)
    {
        await using var cmd = db.CreateCommand(
            "INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@n, @x, @at) ON CONFLICT (friendly_name) DO NOTHING");
        cmd.Parameters.AddWithValue("n", key.FriendlyName);
        cmd.Parameters.AddWithValue("x", key.Xml);
        cmd.Parameters.AddWithValue("at", clock.GetUtcNow().UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>The API hosts' Data Protection key ring: loaded once per activation, written through to PostgreSQL.</summary>
public sealed class DataProtectionKeysGrain(DataProtectionKeyStore store) : Grain, IDataProtectionKeysGrain
{
    private ImmutableList<DataProtectionKey> _keys = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        _keys = [.. await store.LoadAsync(cancellationToken)];

    public Task<IReadOnlyList<DataProtectionKey>> GetAll() => Task.FromResult<IReadOnlyList<DataProtectionKey>>(_keys);

    public async Task Add(DataProtectionKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_keys.Any(k => string.Equals(k.FriendlyName, key.FriendlyName, StringComparison.Ordinal))) return;
        await store.AddAsync(key); // durable before it is handed out
        _keys = _keys.Add(key);
    }
}
