using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Documents;

/// <summary>Column of a table section: header, relative width, right-aligned (numbers, money) or not.</summary>
[GenerateSerializer, Immutable, Alias("Billing.TableColumn")]
public sealed record TableColumn([property: Id(0)] string Header, [property: Id(1)] float Width, [property: Id(2)] bool Right = false);

/// <summary>A titled table; cells already formatted for pt-BR (R$ 1.606,08, dd/MM/yyyy).</summary>
[GenerateSerializer, Immutable, Alias("Billing.TableSection")]
public sealed record TableSection(
    [property: Id(0)] string Title,
    [property: Id(1)] ImmutableArray<TableColumn> Columns,
    [property: Id(2)] ImmutableArray<ImmutableArray<string>> Rows,
    [property: Id(3)] ImmutableArray<string> Footer = default);

/// <summary>A report rendered as PDF: title, facts (label → value), table sections.</summary>
[GenerateSerializer, Immutable, Alias("Billing.TableDocument")]
public sealed record TableDocument(
    [property: Id(0)] string Title,
    [property: Id(1)] ImmutableArray<KeyValuePair<string, string>> Facts,
    [property: Id(2)] ImmutableArray<TableSection> Sections,
    [property: Id(3)] DateTimeOffset GeneratedAt);

/// <summary>Renders report documents (stateless); the API hands it the formatted rows.</summary>
[Alias("Billing.IReportGrain")]
public interface IReportGrain : IGrainWithIntegerKey
{
    [Alias("RenderPdf")]
    Task<byte[]> RenderPdf(TableDocument document);
}
