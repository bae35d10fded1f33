using Billing.Grains.Numbering;

namespace Billing.Grains.Circuits;

/// <summary>
/// A circuit's blacklist: callers (E.164) refused on its inbound calls while its <c>blacklist</c> flag is on. Numbers
/// are given as the circuit's customer dials them (DDD + number, or E.164) and stored normalized from the circuit's
/// DDD; a caller matches when it normalizes to a stored number. Immutable over the stored list (a change makes a new
/// list, stored by the grain, and a new <see cref="Blacklist"/>). Plain class, no Orleans; unit-tested on its own.
/// </summary>
internal sealed class Blacklist(IReadOnlyList<string>? numbers)
{
    /// <summary>Most numbers one circuit's blacklist holds.</summary>
    public const int MaxNumbers = 5000;

    private readonly IReadOnlyList<string> _numbers = numbers ?? [];
    private HashSet<string>? _set;

    private HashSet<string> Set => _set ??= new HashSet<string>(_numbers, StringComparer.Ordinal);

    public int Count => _numbers.Count;

    public bool Contains(string e164) => Set.Contains(e164);

    /// <summary>A caller in E.164 as seen from a circuit of DDD <paramref name="areaCode"/>, or null (anonymous, short code, garbage).</summary>
    public static string? Normalize(string areaCode, string? caller)
    {
        if (string.IsNullOrWhiteSpace(caller)) return null;
        var c = NumberClassifier.Classify(areaCode, caller.Trim());
        return c.IsValid && c.Classification!.NormalizedNumber.StartsWith('+') ? c.Classification.NormalizedNumber : null;
    }

    /// <summary>Whether <paramref name="caller"/>, calling a circuit of DDD <paramref name="areaCode"/>, is on this list.</summary>
    public bool Blocks(string areaCode, string? caller) => Normalize(areaCode, caller) is { } n && Set.Contains(n);

    /// <summary>The numbers in ordinal order (what the API lists).</summary>
    public IReadOnlyList<string> Sorted() => [.. _numbers.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads numbers to add: their normalized forms, or the errors by field (<c>numbers[i]</c> for a number that is
    /// not a phone number, <c>numbers</c> for an empty request), in pt-BR.
    /// </summary>
    public static (List<string> Normalized, Dictionary<string, string[]> Errors) Parse(string areaCode, IReadOnlyList<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var normalized = new List<string>();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (Normalize(areaCode, numbers[i]) is { } n) normalized.Add(n);
            else errors[FormattableString.Invariant($"numbers[{i}]")] = [$"Número inválido: '{numbers[i]}' (use DDD + número ou E.164)."];
        }
        if (numbers.Count == 0) errors["numbers"] = ["Informe ao menos um número."];
        return (normalized, errors);
    }

    /// <summary>The numbers of <paramref name="normalized"/> not on the list yet, each once, in their order.</summary>
    public List<string> Fresh(IEnumerable<string> normalized) =>
        [.. normalized.Distinct(StringComparer.Ordinal).Where(n => !Set.Contains(n))];

    /// <summary>The list with <paramref name="fresh"/> added, or null when it would hold more than <see cref="MaxNumbers"/>.</summary>
    public List<string>? With(IReadOnlyCollection<string> fresh)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        return _numbers.Count + fresh.Count > MaxNumbers ? null : [.. _numbers, .. fresh];
    }

    /// <summary>The list without <paramref name="number"/>.</summary>
    public List<string> Without(string number) => [.. _numbers.Where(x => x != number)];
}
