using System.Globalization;
using SkiaSharp;

namespace Billing.Grains.Documents;

/// <summary>
/// The page layout every PDF of the system shares (SkiaSharp's PDF backend, A4 portrait, DejaVu Sans embedded
/// once): a running y, automatic page breaks with a running header, section bars and aligned table rows.
/// </summary>
public sealed class PdfLayout : IDisposable
{
    public const float Width = 595, Height = 842, Margin = 40;

    private readonly SKDocument _doc;
    private readonly Func<int, string> _pageHeader;
    private int _page = 1;

    public SKFont Font { get; }
    // one embedded font file per PDF: bold is DejaVu Sans emboldened, not a second font
    public SKFont Bold { get; }
    public SKFont Title { get; }
    public SKPaint Ink { get; }
    public SKCanvas Canvas { get; private set; }
    public float Y { get; set; } = Margin;

    private readonly SKPaint _bar = new() { Color = new SKColor(0x1f, 0x5f, 0xa8) };
    private readonly SKPaint _white = new() { Color = SKColors.White, IsAntialias = true };

    /// <param name="pageHeader">text of the running header from page 2 on, given the page number</param>
    public PdfLayout(Stream output, SKDocumentPdfMetadata meta, Func<int, string> pageHeader)
    {
        _doc = SKDocument.CreatePdf(output, meta);
        _pageHeader = pageHeader;
        Font = new SKFont(PdfFonts.Regular, 9);
        Bold = new SKFont(PdfFonts.Regular, 10) { Embolden = true };
        Title = new SKFont(PdfFonts.Regular, 16) { Embolden = true };
        Ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        Canvas = _doc.BeginPage(Width, Height);
    }

    public void NewPage()
    {
        _doc.EndPage();
        Canvas = _doc.BeginPage(Width, Height);
        _page++;
        Y = Margin;
        Canvas.DrawText(_pageHeader(_page), Margin, Y, SKTextAlign.Left, Font, Ink);
        Y += 18;
    }

    public void Need(float h)
    {
        if (Y + h > Height - Margin) NewPage();
    }

    public void Bar(string text)
    {
        Need(30);
        Y += 6;
        Canvas.DrawRect(Margin, Y, Width - 2 * Margin, 16, _bar);
        Canvas.DrawText(text, Margin + 4, Y + 12, SKTextAlign.Left, Bold, _white);
        Y += 22;
    }

    public void Row(float[] xs, SKTextAlign[] aligns, string[] cells, SKFont f)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(aligns);
        ArgumentNullException.ThrowIfNull(cells);
        Need(13);
        for (var i = 0; i < cells.Length; i++) Canvas.DrawText(cells[i], xs[i], Y + 9, aligns[i], f, Ink);
        Y += 13;
    }

    /// <summary>A paragraph wrapped to the page width (for notes).</summary>
    public void Paragraph(string text, SKFont f)
    {
        ArgumentNullException.ThrowIfNull(text);
        var max = Width - 2 * Margin;
        foreach (var raw in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = "";
            foreach (var word in raw.Split(' '))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && f.MeasureText(candidate) > max)
                {
                    Row([Margin], [SKTextAlign.Left], [line], f);
                    line = word;
                }
                else line = candidate;
            }
            Row([Margin], [SKTextAlign.Left], [line], f);
        }
    }

    public static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ends the last page and closes the document.</summary>
    public void Finish()
    {
        _doc.EndPage();
        _doc.Close();
    }

    public void Dispose()
    {
        Font.Dispose();
        Bold.Dispose();
        Title.Dispose();
        Ink.Dispose();
        _bar.Dispose();
        _white.Dispose();
        _doc.Dispose();
    }
}
