using System.Text;
using Billing.Api.Application;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Http;

namespace Billing.Api.Pages.Admin.Tabelas;

/// <summary>A rate-deck CSV sent from a page: read (size-checked) and imported through <see cref="RateDeckService"/>.</summary>
public static class DeckUpload
{
    /// <summary>The import's outcome; a missing, empty or too large file is refused under <c>file</c> without calling the grain.</summary>
    public static async Task<CommandResult<DeckImportResult>> ImportAsync(RateDeckService decks, string? id, string? name, IFormFile? file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decks);
        if (file is null || file.Length == 0) return CommandResult<DeckImportResult>.Invalid("file", "Escolha o arquivo CSV da tabela.");
        if (file.Length > RateDeckService.MaxCsvBytes)
            return CommandResult<DeckImportResult>.Invalid("file", $"O CSV passa de {RateDeckService.MaxCsvBytes / (1024 * 1024)} MB.");
        string csv;
        using (var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            csv = await reader.ReadToEndAsync(ct);
        return await decks.Import(string.IsNullOrWhiteSpace(id) ? null : id.Trim(), string.IsNullOrWhiteSpace(name) ? null : name.Trim(), csv, "file");
    }

    /// <summary>The bad lines of a refused import (shown as a list next to the file field), or none.</summary>
    public static IReadOnlyList<string> LineErrors(CommandResult<DeckImportResult>? result) =>
        result is { IsOk: false, Value: { Ok: false } r } ? r.Errors.Select(RateDeckService.LineMessage).ToList() : [];
}
