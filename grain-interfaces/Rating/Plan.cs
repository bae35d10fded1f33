using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// How a call type is priced in a plan: a fixed <see cref="Tariff"/> or a rate deck (longest prefix). A fixed tariff
/// may carry time <see cref="Windows"/> (horário normal / reduzido, feriados) that override it; null = none.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.PlanEntry")]
public sealed record PlanEntry(Tariff? Tariff, string? RateDeckId, ImmutableArray<TariffWindow>? Windows = null)
{
    public static PlanEntry Of(Tariff tariff) => new(tariff, null);

    public static PlanEntry Of(Tariff tariff, ImmutableArray<TariffWindow> windows) =>
        new(tariff, null, windows.IsDefaultOrEmpty ? null : windows);

    /// <summary>True when the entry has at least one window.</summary>
    public bool HasWindows => Windows is { IsDefaultOrEmpty: false };

    public static PlanEntry Deck(string rateDeckId) => new(null, rateDeckId);
}

/// <summary>
/// One version of a plan, in force from <see cref="ValidFrom"/> until the next version's ValidFrom.
/// A call type missing from <see cref="Entries"/> is not sold by the plan (except <see cref="CallType.Emergencia"/>
/// and <see cref="CallType.Gratuito"/>, which are free when absent).
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.PlanVersion")]
public sealed record PlanVersion(int Version, DateTimeOffset ValidFrom, ImmutableDictionary<CallType, PlanEntry> Entries);

/// <summary>A plan (Plano Nacional…) and its versions, oldest first.</summary>
[GenerateSerializer, Immutable, Alias("Billing.Plan")]
public sealed record Plan(string Id, string Name, ImmutableArray<PlanVersion> Versions)
{
    /// <summary>The version in force at <paramref name="at"/> (a call is rated with the version in force when it started), or null before the first.</summary>
    public PlanVersion? VersionAt(DateTimeOffset at) => PlanVersions.At(Versions, at);

    public PlanVersion? Latest => Versions.IsDefaultOrEmpty ? null : Versions[^1];
}

public static class PlanVersions
{
    /// <summary>The last version whose ValidFrom is at or before <paramref name="at"/>; versions ordered by ValidFrom.</summary>
    public static PlanVersion? At(IReadOnlyList<PlanVersion> versions, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(versions);
        PlanVersion? found = null;
        foreach (var v in versions)
        {
            if (v.ValidFrom <= at) found = v;
            else break;
        }
        return found;
    }
}
