using System.Globalization;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Pages.Portal;

/// <summary>A line of the table: a call type's price (<see cref="Hours"/> "todos os horários" or "demais horários") or one of its windows.</summary>
public sealed record TariffRow(string Type, string Price, string Billing, string ConnectFee, string Hours = "todos os horários", bool Window = false);

/// <summary>
/// The tariffs of the circuit's plan version in force now: per call type its price and, below it, each time window
/// (days in pt-BR, hours, price per minute); the circuit's time zone is named when it is not São Paulo's.
/// </summary>
public sealed class TabelaModel(IClusterClient cluster, TimeProvider clock) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Tabela;

    public string? PlanName { get; private set; }
    public DateTimeOffset? ValidFrom { get; private set; }
    public IReadOnlyList<TariffRow> Rows { get; private set; } = [];

    /// <summary>The circuit's time zone (IANA), the windows' hours are in it.</summary>
    public string TimeZone => string.IsNullOrEmpty(Circuit.Data.TimeZone) ? CircuitData.DefaultTimeZone : Circuit.Data.TimeZone;

    public bool OtherTimeZone => !string.Equals(TimeZone, CircuitData.DefaultTimeZone, StringComparison.Ordinal);

    public bool HasWindows => Rows.Any(r => r.Window);

    public async Task OnGetAsync()
    {
        if (string.IsNullOrEmpty(Circuit.Data.PlanId)) return;
        var plan = await cluster.GetGrain<IPlanGrain>("plan:" + Circuit.Data.PlanId).Get();
        var version = plan?.VersionAt(clock.GetUtcNow());
        if (plan is null || version is null) return;
        PlanName = plan.Name;
        ValidFrom = version.ValidFrom;
        Rows = version.Entries.OrderBy(e => e.Key).SelectMany(e => RowsOf(e.Key, e.Value)).ToList();
    }

    private static IEnumerable<TariffRow> RowsOf(CallType type, PlanEntry entry)
    {
        var label = PortalFormat.CallType(Billing.Api.Web.PortalFormat.CallTypeWire(type));
        if (entry.Tariff is not { } t)
        {
            yield return new TariffRow(label, "por destino", "conforme a tabela de destinos da operadora", "—");
            yield break;
        }
        var windows = entry.Windows is { IsDefaultOrEmpty: false } w ? w : [];
        yield return Row(label, t) with { Hours = windows.Length > 0 ? "demais horários" : "todos os horários" };
        foreach (var window in windows) yield return Row(label, window.Tariff) with { Hours = WindowText.Label(window), Window = true };
    }

    private static TariffRow Row(string label, Tariff t)
    {
        var first = t.Slots.IsDefaultOrEmpty ? null : t.Slots[0];
        var billing = string.Join("/", t.Slots.Select(s => s.IncrementSeconds.ToString(CultureInfo.InvariantCulture)));
        var notes = new List<string> { billing + " s" };
        if (t.MinimumSeconds > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"mínimo {t.MinimumSeconds} s"));
        if (t.FreeSeconds > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"até {t.FreeSeconds} s grátis"));
        return new TariffRow(label, first is null ? "—" : PortalFormat.Price(first.PricePerMinute), string.Join(", ", notes),
            PortalFormat.Price(t.ConnectFee));
    }
}
