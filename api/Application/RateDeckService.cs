using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Platform;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Application;

/// <summary>
/// Rate-deck imports, shared by <c>POST /api/rate-decks</c> and the admin page <c>/admin/tabelas</c>: checks the id,
/// name and that there is a CSV, then one grain call that parses every line and stores all of it as a new version or
/// nothing. A CSV with bad lines answers Invalid with one message per line under <c>field</c> and the grain's
/// <see cref="DeckImportResult"/> (its <see cref="DeckImportResult.Errors"/>) as the value.
/// </summary>
public sealed class RateDeckService(IClusterClient grains)
{
    public const long MaxCsvBytes = 64L * 1024 * 1024;

    /// <param name="id">the deck's id; null = the next of the deck sequence ("d17").</param>
    /// <param name="name">null or empty keeps the deck's name (a new deck is named after its id).</param>
    /// <param name="field">the request field the CSV came in (<c>file</c>, <c>body</c>): where line errors are reported.</param>
    public async Task<CommandResult<DeckImportResult>> Import(string? id, string? name, string csv, string field)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var errors = new FieldErrors();
        RatingJson.CheckId(id, "id", errors);
        if (name is { Length: > 200 }) errors.Add("name", "O nome tem no máximo 200 caracteres.");
        else if (name is not null && InputRules.Text(name, 200) is { } bad) errors.Add("name", bad);
        if (string.IsNullOrWhiteSpace(csv)) errors.Add(field, "O CSV está vazio.");
        if (errors.Any) return errors.Invalid<DeckImportResult>();

        id ??= "d" + (await grains.GetGrain<ISequenceGrain>("seq:deck").Next()).ToString(CultureInfo.InvariantCulture);
        var result = await grains.GetGrain<IRateDeckGrain>("deck:" + id).Import(name ?? "", csv);
        if (result.Ok) return CommandResult<DeckImportResult>.Ok(result);
        return new CommandResult<DeckImportResult>(
            CommandStatus.Invalid,
            result,
            string.Create(CultureInfo.InvariantCulture, $"{result.Errors.Length} linha(s) com erro; nada foi importado e a versão em vigor não mudou."),
            new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = result.Errors.Select(LineMessage).ToArray() });
    }

    /// <summary>"Linha 3, coluna price_per_minute: …" (or without the column when the whole line is wrong).</summary>
    public static string LineMessage(DeckLineError e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Column is null
            ? string.Create(CultureInfo.InvariantCulture, $"Linha {e.Line}: {e.Reason}")
            : string.Create(CultureInfo.InvariantCulture, $"Linha {e.Line}, coluna {e.Column}: {e.Reason}");
    }
}
