using System.Globalization;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Dids;

/// <summary>Siga-me (call forwarding) of a DID: when enabled, inbound calls go to <see cref="Destination"/>.</summary>
[GenerateSerializer, Immutable, Alias("Billing.SigameSettings")]
public sealed record SigameSettings([property: Id(0)] bool Enabled, [property: Id(1)] string? Destination);

/// <summary>Routing settings of a DID (PUT /api/dids/{number}/settings).</summary>
[GenerateSerializer, Immutable, Alias("Billing.DidSettings")]
public sealed record DidSettings([property: Id(0)] SigameSettings Sigame, [property: Id(1)] bool AcceptsCollect);

[GenerateSerializer, Immutable, Alias("Billing.DidView")]
public sealed record DidView
{
    [Id(0)] public required string Number { get; init; }
    [Id(1)] public long? ResellerId { get; init; }
    [Id(2)] public string? Account { get; init; }
    [Id(3)] public DateTimeOffset? ActiveFrom { get; init; }
    [Id(4)] public DateTimeOffset? ActiveTo { get; init; }
    [Id(5)] public decimal? MonthlyFee { get; init; }
    [Id(6)] public SigameSettings Sigame { get; init; } = new(false, null);
    [Id(7)] public bool AcceptsCollect { get; init; }
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>In service: assigned to a circuit and inside its active window.</summary>
    public bool IsActive(DateTimeOffset now) =>
        Account is not null && ActiveFrom is { } from && from <= now && (ActiveTo is not { } to || to > now);
}

/// <summary>Assignment of a DID to its owner circuit.</summary>
[GenerateSerializer, Immutable, Alias("Billing.DidAssignment")]
public sealed record DidAssignment(
    [property: Id(0)] string Account,
    [property: Id(1)] long? ResellerId,
    [property: Id(2)] DateTimeOffset? ActiveFrom,
    [property: Id(3)] DateTimeOffset? ActiveTo,
    [property: Id(4)] decimal? MonthlyFee);

/// <summary>
/// A DID number, key <c>did:&lt;e164&gt;</c> (e.g. <c>did:+551140001234</c>). The <c>dids</c> row is its
/// source of truth (created in bulk, then changed only through this grain, which decides each change and has the
/// table's owner, <see cref="IDidInventoryGrain"/>, write the row, the assignment history and the audit log).
/// Answers inbound routing from memory.
/// </summary>
[Alias("Billing.IDidGrain")]
public interface IDidGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<DidView?> Get();

    /// <summary>How to route an inbound call now; null when the DID is unknown or not in service.</summary>
    [Alias("Route")]
    Task<InboundRoute?> Route();

    [Alias("Assign")]
    Task<CommandResult> Assign(DidAssignment assignment, string actor);

    /// <summary>Takes the DID out of service (back to inventory); the assignment stays in the history.</summary>
    [Alias("Release")]
    Task<CommandResult> Release(string actor);

    /// <summary>Siga-me / ACB. A siga-me destination the owner circuit could not dial is refused (Invalid).</summary>
    [Alias("UpdateSettings")]
    Task<CommandResult> UpdateSettings(DidSettings settings, string actor);
}

/// <summary>
/// The DID inventory (key <see cref="Key"/>), the one writer of <c>dids</c> and <c>did_assignments</c>: creates rows in
/// bulk (one transaction, audited) and writes the changes a DID's own <see cref="IDidGrain"/> decided (it validates and
/// serializes them, asks this grain to write, then updates its memory; while it knows no row it looks it up again, so
/// bulk-created numbers are seen at once). Nothing else writes those tables. Each Save is one transaction with its audit
/// entry; <c>before</c> is what the DID grain held, <c>after</c> what it will hold.
/// </summary>
[Alias("Billing.IDidInventoryGrain")]
public interface IDidInventoryGrain : IGrainWithStringKey
{
    public const string Key = "dids";

    /// <summary>Creates the numbers not yet registered (E.164, validated by the caller); returns those it created.</summary>
    [Alias("Create")]
    Task<IReadOnlyList<string>> Create(IReadOnlyList<string> numbers, long? resellerId, decimal? monthlyFee, string actor);

    /// <summary>Assignment: the row takes <paramref name="after"/>'s owner, reseller, window and fee; the history gets a row charging <paramref name="chargedFee"/>.</summary>
    [Alias("SaveAssignment")]
    Task SaveAssignment(DidView before, DidView after, decimal chargedFee, DateTimeOffset at, string actor);

    /// <summary>Release: the open assignment ends at <paramref name="end"/>; the row goes back to inventory with clean routing settings.</summary>
    [Alias("SaveRelease")]
    Task SaveRelease(DidView before, DateTimeOffset end, DateTimeOffset at, string actor);

    /// <summary>Siga-me / ACB settings of <paramref name="after"/>.</summary>
    [Alias("SaveSettings")]
    Task SaveSettings(DidView before, DidView after, DateTimeOffset at, string actor);
}

public static class DidKeys
{
    public const string Prefix = "did:";

    public static IDidGrain Did(this IGrainFactory grains, string e164)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IDidGrain>(Prefix + e164);
    }
}

/// <summary>DID numbers: E.164 normalization (pure). Brazilian numbers may come as DDD+number, 55+DDD+number or +55….</summary>
public static class DidNumbers
{
    /// <summary>+E.164 or null. Accepts punctuation (space, -, (, ), .).</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return null;
        var s = input.Trim();
        var plus = s.StartsWith('+');
        var digits = new string(s.Where(char.IsAsciiDigit).ToArray());
        if (s.Any(c => !char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '(' or ')' or '.'))) return null;
        if (s.LastIndexOf('+') > 0) return null;
        if (!plus && digits.StartsWith('0')) digits = digits.TrimStart('0');
        if (!plus && digits.Length is 10 or 11) digits = "55" + digits;
        if (digits.StartsWith("55", StringComparison.Ordinal))
        {
            if (digits.Length is not (12 or 13)) return null;
            if (digits[2] == '0' || digits[3] == '0') return null; // DDD 11..99
            return "+" + digits;
        }
        if (!plus) return null;
        return digits.Length is >= 8 and <= 15 && digits[0] != '0' ? "+" + digits : null;
    }

    /// <summary>Every number from <paramref name="from"/> to <paramref name="to"/> (same length, ≤ max).</summary>
    public static IReadOnlyList<string>? Range(string from, string to, int max, out string? error)
    {
        error = null;
        var a = Normalize(from);
        var b = Normalize(to);
        if (a is null || b is null || a.Length != b.Length)
        {
            error = "Faixa inválida: informe início e fim no mesmo formato E.164.";
            return null;
        }
        var x = long.Parse(a.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
        var y = long.Parse(b.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);
        if (y < x || y - x + 1 > max)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"A faixa deve ir do menor para o maior número e ter no máximo {max} números.");
            return null;
        }
        var list = new List<string>((int)(y - x + 1));
        for (var n = x; n <= y; n++) list.Add("+" + n.ToString(CultureInfo.InvariantCulture));
        return list;
    }
}
