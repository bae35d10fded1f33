namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// Call types' names in one place: the wire name (<c>local_fixo</c>…, as in JSON, the ledger and the plans), the
/// document label (invoices, reports: "Longa distância nacional fixo") and the short label of screens ("LDN fixo"),
/// and their print order. <c>recebida</c> is the wire name of a received (inbound) call, which has no tariff type.
/// </summary>
public static class CallTypes
{
    public const string Received = "recebida";

    private sealed record Names(string Wire, string Label, string Short);

    // in print order
    private static readonly Names[] Known =
    [
        new("local_fixo", "Local fixo", "Local fixo"),
        new("local_movel", "Local móvel (VC1)", "Local móvel"),
        new("ldn_fixo", "Longa distância nacional fixo", "LDN fixo"),
        new("ldn_movel", "Longa distância nacional móvel (VC2/VC3)", "LDN móvel"),
        new("ldi", "Internacional (LDI)", "Internacional"),
        new("gratuito", "0800 (gratuito)", "0800"),
        new("nao_geografico", "Não geográfico (0300/400x)", "Não geográfico"),
        new("especial", "Especial (0900)", "Especial (0900)"),
        new("emergencia", "Emergência e utilidade pública", "Emergência"),
        new("a_cobrar", "A cobrar", "A cobrar"),
        new(Received, "Recebidas", "Recebida"),
    ];

    private static readonly string[] WireOf = Enum.GetValues<CallType>()
        .Select(t => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(t.ToString())).ToArray();

    private static readonly Dictionary<string, CallType> ByWire =
        Enum.GetValues<CallType>().ToDictionary(t => WireOf[(int)t], t => t, StringComparer.Ordinal);

    /// <summary>The wire name: <c>local_fixo</c>, <c>a_cobrar</c>… (the JSON enum converter's snake_case).</summary>
    public static string Wire(CallType type) => WireOf[(int)type];

    public static bool TryParse(string? wire, out CallType type)
    {
        type = default;
        return wire is not null && ByWire.TryGetValue(wire, out type);
    }

    /// <summary>Every tariff type's wire name, comma separated (for error messages).</summary>
    public static string AllWireNames { get; } = string.Join(", ", WireOf);

    /// <summary>Label on documents (invoice, reports); an unknown name is shown as it is.</summary>
    public static string Label(string? wire) => Find(wire)?.Label ?? wire ?? "";

    /// <summary>Short label on screens (portal, admin lists); an unknown name is shown as it is.</summary>
    public static string ShortLabel(string? wire) => Find(wire)?.Short ?? wire ?? "";

    /// <summary>Print order of documents; unknown names last.</summary>
    public static int Order(string? wire)
    {
        for (var i = 0; i < Known.Length; i++)
            if (Known[i].Wire == wire) return i;
        return Known.Length;
    }

    private static Names? Find(string? wire) => wire is null ? null : Array.Find(Known, n => n.Wire == wire);
}
