using Orleans.Concurrency;
using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Rating;

/// <summary>A bad line of a rate-deck CSV: 1-based line number, column name (or null for the whole line), pt-BR reason.</summary>
[GenerateSerializer, Immutable, Alias("Billing.DeckLineError")]
public sealed record DeckLineError(int Line, string? Column, string Reason);

/// <summary>Outcome of an import: the new version and row count, or every bad line (and nothing imported).</summary>
[GenerateSerializer, Immutable, Alias("Billing.DeckImportResult")]
public sealed record DeckImportResult(string RateDeckId, int Version, int Rows, ImmutableArray<DeckLineError> Errors)
{
    public bool Ok => Errors.IsDefaultOrEmpty;
}

/// <summary>Current version of a deck.</summary>
[GenerateSerializer, Immutable, Alias("Billing.RateDeckInfo")]
public sealed record RateDeckInfo(string RateDeckId, string Name, int Version, int Rows, DateTimeOffset? ImportedAt);

/// <summary>
/// A rate deck (key <c>deck:&lt;id&gt;</c>): prefix → tariff, longest prefix wins. Rows live in PostgreSQL
/// (<c>rate_deck_rows</c>, one set per version); the activation keeps the current version in memory.
/// </summary>
[Alias("Billing.IRateDeckGrain")]
public interface IRateDeckGrain : IGrainWithStringKey
{
    /// <summary>
    /// Parses and validates the CSV; when every line is good, stores it as a new version and switches to it atomically.
    /// A bulk admin command (a 100k-row deck is seconds of COPY): it gets its own timeout instead of the client's
    /// hot-path one (5 s, meant for the switch), so a busy database does not fail an import that would succeed.
    /// </summary>
    [Alias("Import")]
    [ResponseTimeout("00:02:00")]
    Task<DeckImportResult> Import(string name, string csv);

    /// <summary>The current version, or null when nothing was imported.</summary>
    [Alias("GetInfo"), ReadOnly]
    Task<RateDeckInfo?> GetInfo();

    /// <summary>The longest prefix matching the digits of <paramref name="number"/> (E.164, '+' optional), or null.</summary>
    [Alias("Match"), ReadOnly]
    Task<DeckMatch?> Match(string number);
}
