using System.Globalization;
using System.Net;
using System.Text;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Web;

/// <summary>Server-side SVG grouped bar chart: call counts per month by series (Gráfico Mensal dos Planos).</summary>
public static class PortalChart
{
    public static readonly (string Name, string Color)[] Series =
    [
        ("Local", "#1f77b4"),
        ("LDN", "#ff7f0e"),
        ("LDI", "#2ca02c"),
        ("Móvel", "#d62728"),
    ];

    private static int[] Values(PortalMonthCounts m) => [m.Local, m.Ldn, m.Ldi, m.Movel];

    public static string Svg(IReadOnlyList<PortalMonthCounts> months)
    {
        ArgumentNullException.ThrowIfNull(months);
        const int width = 760, height = 320, left = 48, right = 12, top = 16, bottom = 64;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var max = Math.Max(1, months.SelectMany(Values).DefaultIfEmpty(0).Max());
        var step = NiceStep(max);
        var yMax = (int)Math.Ceiling(max / (double)step) * step;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"Quantidade de ligações por mês e tipo\" class=\"chart\">");
        sb.Append("<style>text{font:11px sans-serif;fill:#333}</style>");
        for (var v = 0; v <= yMax; v += step)
        {
            var y = top + plotH - plotH * v / (double)yMax;
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{width - right}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>");
            sb.Append(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{PortalFormat.Int(v)}</text>");
        }
        var group = plotW / (double)Math.Max(1, months.Count);
        var bar = group * 0.8 / Series.Length;
        for (var i = 0; i < months.Count; i++)
        {
            var x0 = left + group * i + group * 0.1;
            var values = Values(months[i]);
            for (var s = 0; s < Series.Length; s++)
            {
                var h = plotH * values[s] / (double)yMax;
                var x = x0 + bar * s;
                sb.Append(inv, $"<rect x=\"{x:0.##}\" y=\"{top + plotH - h:0.##}\" width=\"{bar:0.##}\" height=\"{h:0.##}\" fill=\"{Series[s].Color}\">");
                sb.Append(inv, $"<title>{WebUtility.HtmlEncode(Series[s].Name)} {BillingPeriod.LabelOf(months[i].Month)}: {PortalFormat.Int(values[s])}</title></rect>");
            }
            sb.Append(inv, $"<text x=\"{left + group * i + group / 2:0.##}\" y=\"{top + plotH + 16}\" text-anchor=\"middle\">{BillingPeriod.ShortLabelOf(months[i].Month)}</text>");
        }
        sb.Append(inv, $"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{width - right}\" y2=\"{top + plotH}\" stroke=\"#333\"/>");
        var lx = left;
        foreach (var (name, color) in Series)
        {
            sb.Append(inv, $"<rect x=\"{lx}\" y=\"{height - 22}\" width=\"12\" height=\"12\" fill=\"{color}\"/>");
            sb.Append(inv, $"<text x=\"{lx + 16}\" y=\"{height - 12}\">{WebUtility.HtmlEncode(name)}</text>");
            lx += 90;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static int NiceStep(int max)
    {
        var raw = max / 5.0;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(raw, 1))));
        var n = raw / mag;
        var nice = n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10;
        return Math.Max(1, (int)(nice * mag));
    }
}
