using System.Text;
using Billing.GrainInterfaces.Common;
using CsvHelper;

namespace Billing.GrainInterfaces.Documents;

/// <summary>
/// The one way the system writes a CSV for people (invoices, reseller statements): ';' separated (Excel pt-BR),
/// UTF-8 with a BOM written by hand (deterministic), and formula injection escaped — a field starting with
/// = + - @ (or tab/CR) gets a leading quote so a spreadsheet shows it as text instead of running it.
/// </summary>
public static class PtBrCsv
{
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Separator = ';',
        WriteByteOrderMark = false, // written by hand below: deterministic UTF-8 BOM for Excel pt-BR
        Injection = CsvInjection.Escape,
    };

    /// <summary>
    /// An amount as a number field ("1.234,56", "-10,00" as <see cref="Money.Number"/> prints it): written as a number, so a
    /// negative amount is not mistaken for a formula and escaped into text.
    /// </summary>
    public static void WriteMoney(this CsvWriter writer, decimal value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteField(Money.Round(value), Money.NumberFormat, Money.PtBr);
    }

    /// <summary>The bytes of a CSV whose records <paramref name="write"/> writes (fields already formatted as text).</summary>
    public static byte[] Write(Action<CsvWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var ms = new MemoryStream();
        ms.Write(Encoding.UTF8.Preamble);
        using (var w = CsvWriter.Create(ms, Options, true))
        {
            write(w);
            w.Flush();
        }
        return ms.ToArray();
    }
}
