using System.Globalization;
using Billing.Api.Web;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Pages.Portal;

public sealed record TariffRow(string Type, string Price, string Billing, string ConnectFee);

/// <summary>The tariffs of the circuit's plan version in force now.</summary>
public sealed class TabelaModel(IClusterClient cluster, TimeProvider clock) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Tabela;

    public string? PlanName { get; private set; }
    public DateTimeOffset? ValidFrom { get; private set; }
    public IReadOnlyList<TariffRow> Rows { get; private set; } = [];

    public async Task OnGetAsync()
    {
        if (string.IsNullOrEmpty(Circuit.Data.PlanId)) return;
        var plan = await cluster.GetGrain<IPlanGrain>("plan:" + Circuit.Data.PlanId).Get();
        var version = plan?.VersionAt(clock.GetUtcNow());
        if (plan is null || version is null) return;
        PlanName = plan.Name;
        ValidFrom = version.ValidFrom;
        Rows = version.Entries.OrderBy(e => e.Key).Select(e => Row(e.Key, e.Value)).ToList();
    }

    private static TariffRow Row(CallType type, PlanEntry entry)
    {
        var label = PortalFormat.CallType(Billing.Api.Web.PortalFormat.CallTypeWire(type));
        if (entry.Tariff is not { } t) return new TariffRow(label, "por destino", "conforme a tabela de destinos da operadora", "—");
        var first = t.Slots.IsDefaultOrEmpty ? null : t.Slots[0];
        var billing = string.Join("/", t.Slots.Select(s => s.IncrementSeconds.ToString(CultureInfo.InvariantCulture)));
        var notes = new List<string> { billing + " s" };
        if (t.MinimumSeconds > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"mínimo {t.MinimumSeconds} s"));
        if (t.FreeSeconds > 0) notes.Add(string.Create(CultureInfo.InvariantCulture, $"até {t.FreeSeconds} s grátis"));
        return new TariffRow(label, first is null ? "—" : PortalFormat.Price(first.PricePerMinute), string.Join(", ", notes),
            PortalFormat.Price(t.ConnectFee));
    }
}
