using System.Globalization;
using CsvHelper;

namespace Billing.GrainInterfaces.Common;

/// <summary>How uploaded CSVs (CDRs, rate decks) are read: header first, values trimmed, blank lines skipped, a short
/// or long row read as it is (the row's own check says what is missing), a malformed record skipped (reported by the caller).</summary>
public static class CsvInput
{
    public static CsvReaderOptions Lenient(char separator) => CsvReaderOptions.Default with
    {
        Separator = separator,
        HasHeader = true,
        TrackLineNumbers = true,
        TrimWhitespace = true,
        SkipEmptyLines = true,
        FormatProvider = CultureInfo.InvariantCulture,
        MalformedData = CsvMalformedDataHandling.Skip,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
    };
}
