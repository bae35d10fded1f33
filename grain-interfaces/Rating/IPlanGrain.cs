using Orleans.Concurrency;
using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// A tariff plan (key <c>plan:&lt;id&gt;</c>): a versioned map call type → tariff or rate deck.
/// Circuits cache <see cref="GetVersionAt"/> and rate locally; <see cref="Rate"/> does the whole thing in one call.
/// </summary>
[Alias("Billing.IPlanGrain")]
public interface IPlanGrain : IGrainWithStringKey
{
    /// <summary>The plan, or null when it was never created.</summary>
    [Alias("Get"), ReadOnly]
    Task<Plan?> Get();

    /// <summary>Creates the plan with its first version. Throws <see cref="InvalidOperationException"/> if it exists.</summary>
    [Alias("Create")]
    Task<Plan> Create(string name, DateTimeOffset validFrom, ImmutableDictionary<CallType, PlanEntry> entries);

    /// <summary>
    /// Adds a version in force from <paramref name="validFrom"/>, which must be later than the latest version's.
    /// <paramref name="name"/> null keeps the name. Throws <see cref="KeyNotFoundException"/> if the plan does not exist.
    /// </summary>
    [Alias("AddVersion")]
    Task<Plan> AddVersion(string? name, DateTimeOffset validFrom, ImmutableDictionary<CallType, PlanEntry> entries);

    /// <summary>The version in force at <paramref name="at"/>, or null.</summary>
    [Alias("GetVersionAt"), ReadOnly]
    Task<PlanVersion?> GetVersionAt(DateTimeOffset at);

    /// <summary>Classifies and rates a call of <paramref name="durationSeconds"/> that started at <paramref name="callStart"/>.</summary>
    [Alias("Rate"), ReadOnly]
    Task<CallRating> Rate(string areaCode, string destination, int durationSeconds, DateTimeOffset callStart);

    /// <summary>
    /// <see cref="Rate"/> with tariff windows read in <paramref name="timeZone"/> (IANA name) and the national and
    /// operator holidays (those of <paramref name="uf"/> too, when given). An unknown zone throws <see cref="ArgumentException"/>.
    /// </summary>
    [Alias("RateIn"), ReadOnly]
    Task<CallRating> RateIn(string areaCode, string destination, int durationSeconds, DateTimeOffset callStart, string timeZone, string? uf);
}
