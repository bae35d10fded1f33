using System.Collections.Immutable;
using Billing.GrainInterfaces.Rating;

namespace Billing.Grains.Rating;

/// <summary>
/// One rate-deck line. <see cref="InitialBlock"/> is the first billed block and <see cref="Increment"/> the
/// block after it (A2Billing initblock/billingblock): 30/6 is initial 30, increment 6.
/// </summary>
public sealed record RateDeckRow(
    string Prefix,
    string Destination,
    decimal PricePerMinute,
    decimal ConnectFee,
    int InitialBlock,
    int Increment,
    int MinimumSeconds)
{
    public Tariff ToTariff() => InitialBlock == Increment
        ? new Tariff(ConnectFee, [new TariffSlot(0, PricePerMinute, Increment)], MinimumSeconds, 0)
        : new Tariff(ConnectFee,
            [new TariffSlot(0, PricePerMinute, InitialBlock), new TariffSlot(InitialBlock, PricePerMinute, Increment)],
            MinimumSeconds, 0);
}

/// <summary>
/// Prefix → row with longest-prefix lookup. One hash table keyed by prefix plus the distinct prefix lengths:
/// a lookup probes at most one entry per distinct length (≤ 15), so its cost grows with the number's length,
/// never with the deck's size. Immutable once built; safe for concurrent readers.
/// </summary>
public sealed class RateDeck
{
    private readonly Dictionary<string, RateDeckRow> _byPrefix;
    private readonly Dictionary<string, RateDeckRow>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int[] _lengthsDescending;

    public static RateDeck Empty { get; } = new([]);

    public RateDeck(IEnumerable<RateDeckRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _byPrefix = new Dictionary<string, RateDeckRow>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!_byPrefix.TryAdd(row.Prefix, row))
                throw new ArgumentException($"Prefixo repetido: {row.Prefix}.", nameof(rows));
        }
        _lookup = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
        _lengthsDescending = _byPrefix.Keys.Select(k => k.Length).Distinct().OrderDescending().ToArray();
    }

    public int Count => _byPrefix.Count;

    public IEnumerable<RateDeckRow> Rows => _byPrefix.Values;

    /// <summary>The row with the longest prefix of <paramref name="number"/> (digits; a leading '+' is ignored), or null.</summary>
    public RateDeckRow? Match(ReadOnlySpan<char> number)
    {
        if (!number.IsEmpty && number[0] == '+') number = number[1..];
        foreach (var len in _lengthsDescending)
        {
            if (len > number.Length) continue;
            if (_lookup.TryGetValue(number[..len], out var row)) return row;
        }
        return null;
    }
}
