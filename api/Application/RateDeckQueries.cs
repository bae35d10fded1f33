using System.Globalization;
using Billing.Api.Apis;
using Billing.GrainInterfaces.Documents;
using CsvHelper;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>One import of a deck: its number, name, rows and time (table <c>rate_deck_versions</c>).</summary>
public sealed record RateDeckVersionItem(int Version, string Name, int Rows, DateTimeOffset ImportedAt);

/// <summary>
/// Read-only queries of the rate decks (<c>rate_decks</c>, <c>rate_deck_rows</c>, <c>rate_deck_versions</c>, written by
/// the RateDeck grains): the list, a deck's rows of the version in force by prefix, its imports, and the CSV download.
/// </summary>
public sealed class RateDeckQueries(NpgsqlDataSource db)
{
    public async Task<RateDeckListItem[]> List(CancellationToken ct = default)
    {
        var items = new List<RateDeckListItem>();
        await using var cmd = db.CreateCommand("SELECT id, name, current_version, row_count, imported_at FROM rate_decks ORDER BY id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new RateDeckListItem(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)));
        return items.ToArray();
    }

    /// <summary>The deck's version in force, or null when it was never imported.</summary>
    public async Task<RateDeckListItem?> Find(string id, CancellationToken ct = default)
    {
        await using var head = db.CreateCommand("SELECT name, current_version, row_count, imported_at FROM rate_decks WHERE id = @id");
        head.Parameters.AddWithValue("id", id);
        await using var r = await head.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new RateDeckListItem(id, r.GetString(0), r.GetInt32(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>
    /// One page of the rows of the version in force whose prefix starts with <paramref name="search"/> (digits, or
    /// null for all), by prefix; null when the deck does not exist.
    /// </summary>
    public async Task<RateDeckResponse?> Rows(string id, string? search, int p, int size, CancellationToken ct = default)
    {
        if (await Find(id, ct) is not { } deck) return null;
        const string Where = "WHERE deck_id = @id AND version = @version AND prefix LIKE @like";
        var like = (search ?? "") + "%";
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM rate_deck_rows {Where}", conn))
        {
            count.Parameters.AddWithValue("id", id);
            count.Parameters.AddWithValue("version", deck.Version);
            count.Parameters.AddWithValue("like", like);
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }
        var items = new List<RateDeckRowResponse>();
        await using (var cmd = new NpgsqlCommand(
            $"""
            SELECT prefix, destination, price_per_minute, connect_fee, initial_block, increment, minimum_seconds
            FROM rate_deck_rows {Where} ORDER BY prefix LIMIT @limit OFFSET @offset
            """, conn))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("version", deck.Version);
            cmd.Parameters.AddWithValue("like", like);
            cmd.Parameters.AddWithValue("limit", size);
            cmd.Parameters.AddWithValue("offset", (long)(p - 1) * size);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                items.Add(new RateDeckRowResponse(r.GetString(0), r.GetString(1), r.GetDecimal(2), r.GetDecimal(3),
                    r.GetInt32(4), r.GetInt32(5), r.GetInt32(6)));
        }
        return new RateDeckResponse(id, deck.Name, deck.Version, deck.Rows, deck.ImportedAt, search is { Length: > 0 } ? search : null,
            p, size, total, total == 0 ? 0 : (total + size - 1) / size, items);
    }

    /// <summary>The deck's imports, newest first (the rows of older versions are not kept, only this record).</summary>
    public async Task<IReadOnlyList<RateDeckVersionItem>> Versions(string id, CancellationToken ct = default)
    {
        var items = new List<RateDeckVersionItem>();
        await using var cmd = db.CreateCommand(
            "SELECT version, name, row_count, imported_at FROM rate_deck_versions WHERE deck_id = @id ORDER BY version DESC LIMIT 200");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            items.Add(new RateDeckVersionItem(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3)));
        return items;
    }

    /// <summary>
    /// The version in force as a CSV that imports back unchanged: the import's header
    /// (<c>prefix;destination;price_per_minute;…</c>), ';' separated, decimals with a comma (Excel pt-BR), UTF-8 with a
    /// BOM, formulas escaped (<see cref="PtBrCsv"/>). Null when the deck does not exist.
    /// </summary>
    public async Task<(RateDeckListItem Deck, byte[] Csv)?> Csv(string id, CancellationToken ct = default)
    {
        if (await Find(id, ct) is not { } deck) return null;
        var rows = new List<string[]>(deck.Rows);
        await using (var cmd = db.CreateCommand(
            """
            SELECT prefix, destination, price_per_minute, connect_fee, initial_block, increment, minimum_seconds
            FROM rate_deck_rows WHERE deck_id = @id AND version = @version ORDER BY prefix
            """))
        {
            cmd.Parameters.AddWithValue("id", id);
            cmd.Parameters.AddWithValue("version", deck.Version);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                rows.Add([r.GetString(0), r.GetString(1), Decimal(r.GetDecimal(2)), Decimal(r.GetDecimal(3)),
                    Int(r.GetInt32(4)), Int(r.GetInt32(5)), Int(r.GetInt32(6))]);
        }
        var bytes = PtBrCsv.Write(w =>
        {
            w.WriteRecord(Header);
            foreach (var row in rows) w.WriteRecord(row);
        });
        return (deck, bytes);
    }

    /// <summary>The columns of the import (<c>RateDeckCsvParser</c>), in its order.</summary>
    public static readonly string[] Header =
        ["prefix", "destination", "price_per_minute", "connect_fee", "initial_block", "increment", "minimum_seconds"];

    private static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    private static string Decimal(decimal d) => d.ToString("0.######", PtBr);

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
