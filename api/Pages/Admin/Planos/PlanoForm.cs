using System.Globalization;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;

namespace Billing.Api.Pages.Admin.Planos;

/// <summary>One slot row of a tariff as typed: from-second, price per minute (up to 6 decimals), increment.</summary>
public sealed class SlotForm
{
    public string? De { get; set; }
    public string? Preco { get; set; }
    public string? Incremento { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(De) && string.IsNullOrWhiteSpace(Preco) && string.IsNullOrWhiteSpace(Incremento);
}

/// <summary>
/// How one call type is sold, as typed: not sold, a tariff (connect fee, minimum and free seconds, slots) or a rate
/// deck. The page's whole model of a plan entry: a new part of an entry (e.g. time windows) is a new list here, filled
/// by <see cref="From"/> and passed on by <see cref="ToDto"/>.
/// </summary>
public sealed class EntryForm
{
    public const string NotSold = "nenhum";
    public const string ByTariff = "tarifa";
    public const string ByDeck = "tabela";

    /// <summary>The call type's API name (<c>local_fixo</c>…).</summary>
    public string Tipo { get; set; } = "";
    public string Modo { get; set; } = NotSold;
    public string? TaxaConexao { get; set; }
    public string? Minimo { get; set; }
    public string? Gratuitos { get; set; }
    public List<SlotForm> Faixas { get; set; } = [];
    public string? Tabela { get; set; }

    /// <summary>The API field prefix of this entry: <c>entries.local_fixo</c>.</summary>
    public string Field => "entries." + Tipo;

    public static EntryForm From(string tipo, PlanEntry? entry)
    {
        var form = new EntryForm { Tipo = tipo };
        if (entry?.RateDeckId is { } deck)
        {
            form.Modo = ByDeck;
            form.Tabela = deck;
        }
        else if (entry?.Tariff is { } t)
        {
            form.Modo = ByTariff;
            form.TaxaConexao = PlanoText.Price(t.ConnectFee);
            form.Minimo = t.MinimumSeconds.ToString(CultureInfo.InvariantCulture);
            form.Gratuitos = t.FreeSeconds.ToString(CultureInfo.InvariantCulture);
            form.Faixas = t.Slots.Select(s => new SlotForm
            {
                De = s.FromSecond.ToString(CultureInfo.InvariantCulture),
                Preco = PlanoText.Price(s.PricePerMinute),
                Incremento = s.IncrementSeconds.ToString(CultureInfo.InvariantCulture),
            }).ToList();
        }
        return form;
    }

    /// <summary>Room to type more slots: at least three rows and always one blank.</summary>
    public void PadSlots()
    {
        while (Faixas.Count < 3 || !Faixas[^1].IsBlank) Faixas.Add(new SlotForm());
    }

    /// <summary>
    /// The entry as the API takes it, or null when the type is not sold. Values that are not numbers are reported
    /// under the API's field names; <paramref name="slotRows"/> gets, per API slot index, the form row it came from
    /// (blank rows are skipped).
    /// </summary>
    public PlanEntryDto? ToDto(Dictionary<string, string[]> errors, List<int> slotRows)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(slotRows);
        switch (Modo)
        {
            case ByDeck:
                return new PlanEntryDto(null, string.IsNullOrWhiteSpace(Tabela) ? "" : Tabela.Trim());
            case ByTariff:
                var tariff = Field + ".tariff";
                var slots = new List<TariffSlotDto?>();
                for (var i = 0; i < Faixas.Count; i++)
                {
                    var s = Faixas[i];
                    if (s.IsBlank) continue;
                    var f = $"{tariff}.slots[{i}]";
                    slots.Add(new TariffSlotDto(
                        PlanoText.Int(s.De, f + ".fromSecond", errors),
                        PlanoText.Decimal(s.Preco, f + ".pricePerMinute", errors),
                        PlanoText.Int(s.Incremento, f + ".incrementSeconds", errors)));
                    slotRows.Add(i);
                }
                return new PlanEntryDto(new TariffDto(
                    PlanoText.Decimal(TaxaConexao, tariff + ".connectFee", errors) ?? 0m,
                    slots,
                    PlanoText.Int(Minimo, tariff + ".minimumSeconds", errors) ?? 0,
                    PlanoText.Int(Gratuitos, tariff + ".freeSeconds", errors) ?? 0), null);
            default:
                return null;
        }
    }
}

/// <summary>A plan as typed in <c>/admin/planos/{id}</c>: name, start of the version (São Paulo time), one entry per call type.</summary>
public sealed class PlanoForm
{
    public string? Id { get; set; }
    public string? Nome { get; set; }

    /// <summary>"yyyy-MM-ddTHH:mm" on the São Paulo clock (an &lt;input type="datetime-local"&gt;).</summary>
    public string? ValidoAPartirDe { get; set; }

    public List<EntryForm> Entradas { get; set; } = [];

    /// <summary>Every call type in the enum's order, each from <paramref name="version"/> (or not sold).</summary>
    public static PlanoForm From(string? id, string? name, PlanVersion? version)
    {
        var form = new PlanoForm { Id = id, Nome = name };
        foreach (var type in Enum.GetValues<CallType>())
            form.Entradas.Add(EntryForm.From(RatingJson.Name(type), version?.Entries.GetValueOrDefault(type)));
        form.Pad();
        return form;
    }

    public void Pad()
    {
        // every call type has its block, in the enum's order, whatever the post carried
        var byType = Entradas.Where(e => RatingJson.TryParse(e.Tipo, out _)).GroupBy(e => e.Tipo).ToDictionary(g => g.Key, g => g.First());
        Entradas = Enum.GetValues<CallType>().Select(t => byType.GetValueOrDefault(RatingJson.Name(t)) ?? new EntryForm { Tipo = RatingJson.Name(t) }).ToList();
        foreach (var e in Entradas) e.PadSlots();
    }

    /// <summary>The entries as the API takes them (types not sold left out) and, per entry, API slot index → form row.</summary>
    public Dictionary<string, PlanEntryDto?> Entries(Dictionary<string, string[]> errors, Dictionary<string, List<int>> slotRows)
    {
        ArgumentNullException.ThrowIfNull(slotRows);
        var entries = new Dictionary<string, PlanEntryDto?>(StringComparer.Ordinal);
        foreach (var e in Entradas)
        {
            var rows = new List<int>();
            if (e.ToDto(errors, rows) is { } dto)
            {
                entries[e.Tipo] = dto;
                slotRows[e.Tipo] = rows;
            }
        }
        return entries;
    }

    /// <summary>The typed start as an instant (São Paulo wall clock); null when empty; an error under validFrom when unreadable.</summary>
    public DateTimeOffset? ValidFrom(Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(ValidoAPartirDe)) return null;
        if (!DateTime.TryParseExact(ValidoAPartirDe.Trim(), ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "dd/MM/yyyy HH:mm", "dd/MM/yyyy"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            errors["validFrom"] = ["Use data e hora (dd/mm/aaaa hh:mm)."];
            return null;
        }
        return PlanoText.FromSaoPaulo(local);
    }
}

/// <summary>Reading and writing the numbers of the plan form (pt-BR comma or point).</summary>
public static class PlanoText
{
    /// <summary>A price with up to 6 decimals, pt-BR ("0,123456"; at least 2 decimals).</summary>
    public static string Price(decimal value) => value.ToString("0.00####", AdminHtml.PtBr);

    public static decimal? Decimal(string? text, string field, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (AdminLookups.TryMoney(text, out var value)) return value;
        errors[field] = ["Valor inválido: use um número como 0,15 ou 0.15."];
        return null;
    }

    public static int? Int(string? text, string field, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        errors[field] = ["Informe um número inteiro de segundos."];
        return null;
    }

    /// <summary>A São Paulo wall-clock time as an instant (an ambiguous or skipped time takes the standard offset).</summary>
    public static DateTimeOffset FromSaoPaulo(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, SaoPauloTime.Zone.GetUtcOffset(unspecified));
    }

    /// <summary>The value of an &lt;input type="datetime-local"&gt; for <paramref name="at"/> on the São Paulo clock.</summary>
    public static string ToInput(DateTimeOffset at) => SaoPauloTime.Local(at).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
}
