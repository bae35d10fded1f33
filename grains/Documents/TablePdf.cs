using System.Globalization;
using Billing.GrainInterfaces.Documents;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// Generic report PDF (SkiaSharp, A4 portrait, DejaVu Sans embedded once): title, facts, then each table
/// section with a coloured title bar, a header row, rows that break across pages, and footer cells.
/// </summary>
public static class TablePdf
{
    private const float Width = 595, Height = 842, Margin = 40;

    public static byte[] Render(TableDocument d)
    {
        ArgumentNullException.ThrowIfNull(d);
        using var ms = new MemoryStream();
        var meta = new SKDocumentPdfMetadata { Title = d.Title, Author = "Billing", Creation = d.GeneratedAt.UtcDateTime, Modified = d.GeneratedAt.UtcDateTime };
        using (var doc = SKDocument.CreatePdf(ms, meta))
        {
            var face = PdfFonts.Regular;
            using var font = new SKFont(face, 8.5f);
            using var bold = new SKFont(face, 9) { Embolden = true };
            using var title = new SKFont(face, 15) { Embolden = true };
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var bar = new SKPaint { Color = new SKColor(0x1f, 0x5f, 0xa8) };
            using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
            using var rule = new SKPaint { Color = new SKColor(0xcc, 0xcc, 0xcc), StrokeWidth = 0.5f };
            var canvas = doc.BeginPage(Width, Height);
            float y = Margin;
            var page = 1;

            void NewPage()
            {
                doc.EndPage();
                canvas = doc.BeginPage(Width, Height);
                page++;
                y = Margin;
                canvas.DrawText($"{d.Title} - página {page.ToString(CultureInfo.InvariantCulture)}", Margin, y, SKTextAlign.Left, font, ink);
                y += 16;
            }
            void Need(float h)
            {
                if (y + h > Height - Margin) NewPage();
            }

            canvas.DrawText(d.Title, Margin, y + 14, SKTextAlign.Left, title, ink);
            y += 30;
            foreach (var (label, value) in d.Facts.IsDefault ? [] : d.Facts)
            {
                Need(13);
                canvas.DrawText(label + ":", Margin, y + 9, SKTextAlign.Left, bold, ink);
                canvas.DrawText(value, Margin + 150, y + 9, SKTextAlign.Left, font, ink);
                y += 13;
            }
            foreach (var section in d.Sections.IsDefault ? [] : d.Sections)
            {
                var total = section.Columns.Sum(c => c.Width);
                var xs = new float[section.Columns.Length];
                var x = Margin;
                for (var i = 0; i < xs.Length; i++)
                {
                    var w = section.Columns[i].Width / total * (Width - 2 * Margin);
                    xs[i] = section.Columns[i].Right ? x + w - 4 : x + 2;
                    x += w;
                }
                void Row(IReadOnlyList<string> cells, SKFont f)
                {
                    Need(12);
                    for (var i = 0; i < cells.Count && i < xs.Length; i++)
                        canvas.DrawText(cells[i], xs[i], y + 9, section.Columns[i].Right ? SKTextAlign.Right : SKTextAlign.Left, f, ink);
                    y += 12;
                }
                Need(40);
                y += 8;
                canvas.DrawRect(Margin, y, Width - 2 * Margin, 15, bar);
                canvas.DrawText(section.Title, Margin + 4, y + 11, SKTextAlign.Left, bold, white);
                y += 19;
                Row(section.Columns.Select(c => c.Header).ToList(), bold);
                canvas.DrawLine(Margin, y, Width - Margin, y, rule);
                foreach (var r in section.Rows) Row(r, font);
                if (!section.Footer.IsDefaultOrEmpty)
                {
                    canvas.DrawLine(Margin, y, Width - Margin, y, rule);
                    Row(section.Footer, bold);
                }
            }
            doc.EndPage();
            doc.Close();
        }
        return ms.ToArray();
    }
}

/// <summary>The one font file the PDFs embed (DejaVu Sans from Debian's fonts-dejavu-core).</summary>
public static class PdfFonts
{
    private static readonly Lazy<SKTypeface> Face = new(() =>
    {
        foreach (var dir in new[] { "/usr/share/fonts/truetype/dejavu", AppContext.BaseDirectory })
        {
            var path = Path.Combine(dir, "DejaVuSans.ttf");
            if (File.Exists(path)) return SKTypeface.FromFile(path);
        }
        return SKTypeface.Default;
    });

    public static SKTypeface Regular => Face.Value;
}
