using System.Collections.Immutable;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Web;

/// <summary>
/// How a tariff window reads on the admin and portal pages (pt-BR): "seg–sex 07:00–19:00: R$ 0,12/min". Days in
/// the week's order, three or more consecutive ones as a range (seg–sex), feriado last.
/// </summary>
public static class WindowText
{
    /// <summary>"seg–sex", "sáb, dom", "seg, qua, feriado".</summary>
    public static string Days(IEnumerable<WindowDay> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var set = days.ToHashSet();
        var parts = new List<string>();
        var week = Enum.GetValues<WindowDay>().Where(d => d != WindowDay.Holiday).ToArray();
        for (var i = 0; i < week.Length; i++)
        {
            if (!set.Contains(week[i])) continue;
            var j = i;
            while (j + 1 < week.Length && set.Contains(week[j + 1])) j++;
            if (j - i >= 2) parts.Add(TariffWindow.PtBr(week[i]) + "–" + TariffWindow.PtBr(week[j]));
            else for (var k = i; k <= j; k++) parts.Add(TariffWindow.PtBr(week[k]));
            i = j;
        }
        if (set.Contains(WindowDay.Holiday)) parts.Add(TariffWindow.PtBr(WindowDay.Holiday));
        return string.Join(", ", parts);
    }

    /// <summary>The days of API names (<c>mon</c>…, <c>holiday</c>); unknown names are left out.</summary>
    public static string Days(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Days(names.Select(n => TariffWindow.TryParseDay(n, out var d) ? (WindowDay?)d : null).OfType<WindowDay>());
    }

    /// <summary>"07:00–19:00".</summary>
    public static string Hours(int fromMinute, int toMinute) => TariffWindow.Time(fromMinute) + "–" + TariffWindow.Time(toMinute);

    /// <summary>"seg–sex 07:00–19:00".</summary>
    public static string Label(TariffWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Days(window.Days.IsDefault ? ImmutableArray<WindowDay>.Empty : window.Days) + " " + Hours(window.FromMinute, window.ToMinute);
    }

    /// <summary>"R$ 0,12/min" (the slots' distinct prices: "R$ 0,12 / 0,10/min"), plus "conexão R$ 0,05" when there is one.</summary>
    public static string Price(Tariff tariff)
    {
        ArgumentNullException.ThrowIfNull(tariff);
        return Price((tariff.Slots.IsDefault ? [] : tariff.Slots).Select(s => s.PricePerMinute).Distinct(), tariff.ConnectFee);
    }

    /// <summary>"R$ 0,12 / 0,10/min, conexão R$ 0,05" from the prices per minute and the connect fee.</summary>
    public static string Price(IEnumerable<decimal> pricesPerMinute, decimal connectFee)
    {
        ArgumentNullException.ThrowIfNull(pricesPerMinute);
        var prices = pricesPerMinute.Select(p => p.ToString("#,##0.00####", AdminHtml.PtBr)).ToList();
        var text = prices.Count == 0 ? "—" : "R$ " + string.Join(" / ", prices) + "/min";
        return connectFee == 0 ? text : text + ", conexão R$ " + connectFee.ToString("#,##0.00####", AdminHtml.PtBr);
    }

    /// <summary>"seg–sex 07:00–19:00: R$ 0,12/min".</summary>
    public static string Summary(TariffWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        return Label(window) + ": " + Price(window.Tariff);
    }
}
