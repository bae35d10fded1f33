using System.Collections.Immutable;
using Billing.GrainInterfaces.Hosting;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Rating;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Grains.Plans;

[GenerateSerializer, Alias("Billing.RateDeckState")]
public sealed class RateDeckState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Version { get; set; }
    [Id(2)] public int Rows { get; set; }
    [Id(3)] public DateTimeOffset? ImportedAt { get; set; }
}

/// <summary>
/// A rate deck (key <c>deck:&lt;id&gt;</c>). Rows are in PostgreSQL (<c>rate_deck_rows</c>, per version), never in
/// grain state; <c>rate_decks.current_version</c> is the version in force. The activation loads that version
/// into an in-memory <see cref="RateDeck"/> for longest-prefix lookups.
/// </summary>
public sealed class RateDeckGrain(
    [PersistentState("ratedeck", BillingSettings.StorageName)] IPersistentState<RateDeckState> state,
    NpgsqlDataSource db,
    TimeProvider clock,
    ILogger<RateDeckGrain> log)
    : Grain, IRateDeckGrain
{
    public const string KeyPrefix = "deck:";

    private RateDeck _deck = RateDeck.Empty;

    private string DeckId => StripPrefix(this.GetPrimaryKeyString());

    public static string StripPrefix(string key) =>
        key.StartsWith(KeyPrefix, StringComparison.Ordinal) ? key[KeyPrefix.Length..] : key;

    public override async Task OnActivateAsync(CancellationToken ct)
    {
        // PostgreSQL is authoritative for which version is in force (the flip is one transaction there).
        await using (var cmd = db.CreateCommand("SELECT name, current_version, row_count, imported_at FROM rate_decks WHERE id = @id"))
        {
            cmd.Parameters.AddWithValue("id", DeckId);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) return;
            var current = new RateDeckState
            {
                Name = r.GetString(0),
                Version = r.GetInt32(1),
                Rows = r.GetInt32(2),
                ImportedAt = r.GetFieldValue<DateTimeOffset>(3),
            };
            if (current.Version != state.State.Version) state.State = current;
        }
        _deck = new RateDeck(await LoadRows(state.State.Version, ct));
        log.LogInformation("Tabela {Deck} versão {Version} carregada: {Rows} prefixos.", DeckId, state.State.Version, _deck.Count);
    }

    public async Task<DeckImportResult> Import(string name, string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var parsed = RateDeckCsvParser.Parse(csv);
        if (!parsed.Ok) return new DeckImportResult(DeckId, state.State.Version, 0, [.. parsed.Errors]);

        var deck = new RateDeck(parsed.Rows);
        var deckName = string.IsNullOrWhiteSpace(name) ? (state.State.Name.Length > 0 ? state.State.Name : DeckId) : name.Trim();
        var now = clock.GetUtcNow();
        var version = await Replace(deckName, parsed.Rows, now);
        _deck = deck;
        state.State = new RateDeckState { Name = deckName, Version = version, Rows = parsed.Rows.Count, ImportedAt = now };
        await state.WriteStateAsync();
        return new DeckImportResult(DeckId, version, parsed.Rows.Count, []);
    }

    public Task<RateDeckInfo?> GetInfo() => Task.FromResult(state.State.Version == 0
        ? null
        : new RateDeckInfo(DeckId, state.State.Name, state.State.Version, state.State.Rows, state.State.ImportedAt));

    public Task<DeckMatch?> Match(string number)
    {
        var row = _deck.Match(number);
        return Task.FromResult(row is null
            ? null
            : new DeckMatch(DeckId, state.State.Version, row.Prefix, row.Destination, row.ToTariff()));
    }

    /// <summary>Writes the rows as version N+1 (binary COPY) and makes it current, in one transaction.</summary>
    private async Task<int> Replace(string name, IReadOnlyList<RateDeckRow> rows, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        int version;
        await using (var cmd = new NpgsqlCommand(
            """
            SELECT greatest(
                coalesce((SELECT current_version FROM rate_decks WHERE id = @id FOR UPDATE), 0),
                coalesce((SELECT max(version) FROM rate_deck_rows WHERE deck_id = @id), 0)) + 1
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue("id", DeckId);
            version = (int)(await cmd.ExecuteScalarAsync())!;
        }

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY rate_deck_rows (deck_id, version, prefix, destination, price_per_minute, connect_fee, initial_block, increment, minimum_seconds) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(DeckId, NpgsqlDbType.Text);
                await copy.WriteAsync(version, NpgsqlDbType.Integer);
                await copy.WriteAsync(row.Prefix, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Destination, NpgsqlDbType.Text);
                await copy.WriteAsync(row.PricePerMinute, NpgsqlDbType.Numeric);
                await copy.WriteAsync(row.ConnectFee, NpgsqlDbType.Numeric);
                await copy.WriteAsync(row.InitialBlock, NpgsqlDbType.Integer);
                await copy.WriteAsync(row.Increment, NpgsqlDbType.Integer);
                await copy.WriteAsync(row.MinimumSeconds, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }

        await using (var flip = new NpgsqlCommand(
            """
            INSERT INTO rate_decks (id, name, current_version, row_count, imported_at)
            VALUES (@id, @name, @version, @rows, @at)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, current_version = EXCLUDED.current_version,
                row_count = EXCLUDED.row_count, imported_at = EXCLUDED.imported_at
            """, conn, tx))
        {
            flip.Parameters.AddWithValue("id", DeckId);
            flip.Parameters.AddWithValue("name", name);
            flip.Parameters.AddWithValue("version", version);
            flip.Parameters.AddWithValue("rows", rows.Count);
            flip.Parameters.AddWithValue("at", now);
            await flip.ExecuteNonQueryAsync();
        }
        await using (var history = new NpgsqlCommand(
            """
            INSERT INTO rate_deck_versions (deck_id, version, name, row_count, imported_at)
            VALUES (@id, @version, @name, @rows, @at)
            """, conn, tx))
        {
            // the import's record (rate_deck_rows keeps only the version in force)
            history.Parameters.AddWithValue("id", DeckId);
            history.Parameters.AddWithValue("name", name);
            history.Parameters.AddWithValue("version", version);
            history.Parameters.AddWithValue("rows", rows.Count);
            history.Parameters.AddWithValue("at", now);
            await history.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();

        // Older versions are no longer read by anyone; dropping them is housekeeping, not part of the switch.
        try
        {
            await using var cleanup = new NpgsqlCommand("DELETE FROM rate_deck_rows WHERE deck_id = @id AND version < @version", conn);
            cleanup.Parameters.AddWithValue("id", DeckId);
            cleanup.Parameters.AddWithValue("version", version);
            await cleanup.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            log.LogWarning(e, "Não consegui apagar versões antigas da tabela {Deck}; serão apagadas na próxima importação.", DeckId);
        }
        return version;
    }

    private async Task<List<RateDeckRow>> LoadRows(int version, CancellationToken ct)
    {
        var rows = new List<RateDeckRow>();
        await using var cmd = db.CreateCommand(
            """
            SELECT prefix, destination, price_per_minute, connect_fee, initial_block, increment, minimum_seconds
            FROM rate_deck_rows WHERE deck_id = @id AND version = @version
            """);
        cmd.Parameters.AddWithValue("id", DeckId);
        cmd.Parameters.AddWithValue("version", version);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            rows.Add(new RateDeckRow(r.GetString(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3), r.GetInt32(4), r.GetInt32(5), r.GetInt32(6)));
        return rows;
    }
}
