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

    /// <summary>The entry's time windows (horário normal / reduzido, feriados), in the API's order.</summary>
    public List<WindowForm> Janelas { get; set; } = [];

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
            form.Faixas = TariffText.Slots(t);
        }
        if (entry?.Windows is { IsDefaultOrEmpty: false } windows) form.Janelas = [.. windows.Select(WindowForm.From)];
        return form;
    }

    /// <summary>Room to type more slots: at least three rows and always one blank.</summary>
    public void PadSlots()
    {
        while (Faixas.Count < 3 || !Faixas[^1].IsBlank) Faixas.Add(new SlotForm());
    }

    /// <summary>
    /// The entry as the API takes it, or null when the type is not sold. Values that are not numbers are reported
    /// under the API's field names; <paramref name="slotRows"/> gets, per tariff (API field prefix, e.g.
    /// <c>entries.local_fixo.tariff</c> or <c>entries.local_fixo.windows[0].tariff</c>), the form row of each API slot
    /// index (blank rows are skipped). Windows are passed on one per form block (the API reports windows on a rate
    /// deck entry, so they go along in that mode too).
    /// </summary>
    public PlanEntryDto? ToDto(Dictionary<string, string[]> errors, Dictionary<string, List<int>> slotRows)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(slotRows);
        var windows = Janelas.Count == 0 ? null
            : Janelas.Select((w, k) => (TariffWindowDto?)w.ToDto($"{Field}.windows[{k.ToString(CultureInfo.InvariantCulture)}]", errors, slotRows)).ToList();
        switch (Modo)
        {
            case ByDeck:
                return new PlanEntryDto(null, string.IsNullOrWhiteSpace(Tabela) ? "" : Tabela.Trim(), windows);
            case ByTariff:
                return new PlanEntryDto(TariffText.ToDto(TaxaConexao, Minimo, Gratuitos, Faixas, Field + ".tariff", errors, slotRows), null, windows);
            default:
                return null;
        }
    }

    /// <summary>Room to type: slots of the entry and of each window padded.</summary>
    public void Pad()
    {
        PadSlots();
        foreach (var w in Janelas) w.PadSlots();
    }
}

/// <summary>
/// A time window of an entry as typed: the days it applies on (checkboxes <c>mon</c>…<c>sun</c>, <c>holiday</c>),
/// local "HH:mm" from and to (exclusive; "24:00" allowed) and its own tariff, in the same shape as the entry's.
/// </summary>
public sealed class WindowForm
{
    public List<string> Dias { get; set; } = [];
    public string? De { get; set; }
    public string? Ate { get; set; }
    public string? TaxaConexao { get; set; }
    public string? Minimo { get; set; }
    public string? Gratuitos { get; set; }
    public List<SlotForm> Faixas { get; set; } = [];

    public bool Has(WindowDay day) => Dias.Contains(TariffWindow.Name(day), StringComparer.Ordinal);

    public static WindowForm From(TariffWindow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var t = w.Tariff;
        return new WindowForm
        {
            Dias = [.. w.Days.Select(TariffWindow.Name)],
            De = TariffWindow.Time(w.FromMinute),
            Ate = TariffWindow.Time(w.ToMinute),
            TaxaConexao = PlanoText.Price(t.ConnectFee),
            Minimo = t.MinimumSeconds.ToString(CultureInfo.InvariantCulture),
            Gratuitos = t.FreeSeconds.ToString(CultureInfo.InvariantCulture),
            Faixas = TariffText.Slots(t),
        };
    }

    /// <summary>A new window: mon–fri, the entry's tariff fields as a start (the admin changes the price).</summary>
    public static WindowForm NewFor(EntryForm entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new WindowForm
        {
            Dias = ["mon", "tue", "wed", "thu", "fri"],
            TaxaConexao = entry.TaxaConexao,
            Minimo = entry.Minimo,
            Gratuitos = entry.Gratuitos,
            Faixas = [.. entry.Faixas.Where(s => !s.IsBlank).Select(s => new SlotForm { De = s.De, Preco = s.Preco, Incremento = s.Incremento })],
        };
    }

    public void PadSlots()
    {
        while (Faixas.Count < 2 || !Faixas[^1].IsBlank) Faixas.Add(new SlotForm());
    }

    /// <summary>The window as the API takes it (days in the API's order, whatever the post's order).</summary>
    public TariffWindowDto ToDto(string field, Dictionary<string, string[]> errors, Dictionary<string, List<int>> slotRows)
    {
        var days = Enum.GetValues<WindowDay>().Where(Has).Select(d => (string?)TariffWindow.Name(d)).ToList();
        // a day the form does not offer is still passed on, for the API to name it
        days.AddRange(Dias.Where(d => !TariffWindow.TryParseDay(d, out _)));
        return new TariffWindowDto(days, De?.Trim(), Ate?.Trim(),
            TariffText.ToDto(TaxaConexao, Minimo, Gratuitos, Faixas, field + ".tariff", errors, slotRows));
    }
}

/// <summary>The tariff fields shared by an entry and its windows: connect fee, minimum, free seconds, slot rows.</summary>
public static class TariffText
{
    public static List<SlotForm> Slots(Tariff t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return [.. t.Slots.Select(s => new SlotForm
        {
            De = s.FromSecond.ToString(CultureInfo.InvariantCulture),
            Preco = PlanoText.Price(s.PricePerMinute),
            Incremento = s.IncrementSeconds.ToString(CultureInfo.InvariantCulture),
        })];
    }

    /// <summary>The tariff under <paramref name="tariff"/> (API field prefix); blank slot rows skipped, their form rows in <paramref name="slotRows"/>.</summary>
    public static TariffDto ToDto(string? connectFee, string? minimum, string? free, List<SlotForm> rows, string tariff,
        Dictionary<string, string[]> errors, Dictionary<string, List<int>> slotRows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(slotRows);
        var slots = new List<TariffSlotDto?>();
        var formRows = new List<int>();
        for (var i = 0; i < rows.Count; i++)
        {
            var s = rows[i];
            if (s.IsBlank) continue;
            var f = $"{tariff}.slots[{i}]";
            slots.Add(new TariffSlotDto(
                PlanoText.Int(s.De, f + ".fromSecond", errors),
                PlanoText.Decimal(s.Preco, f + ".pricePerMinute", errors),
                PlanoText.Int(s.Incremento, f + ".incrementSeconds", errors)));
            formRows.Add(i);
        }
        slotRows[tariff] = formRows;
        return new TariffDto(
            PlanoText.Decimal(connectFee, tariff + ".connectFee", errors) ?? 0m,
            slots,
            PlanoText.Int(minimum, tariff + ".minimumSeconds", errors) ?? 0,
            PlanoText.Int(free, tariff + ".freeSeconds", errors) ?? 0);
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

    /// <summary>A button that edits the form instead of saving it: <c>janela+:{tipo}</c> adds a window, <c>janela-:{tipo}:{n}</c> removes one.</summary>
    public string? Acao { get; set; }

    public const string AddWindow = "janela+:";
    public const string RemoveWindow = "janela-:";

    /// <summary>Applies <see cref="Acao"/> (true when there was one: the page shows the form again, nothing saved).</summary>
    public bool ApplyAction()
    {
        if (string.IsNullOrEmpty(Acao)) return false;
        var parts = Acao.Split(':');
        var entry = parts.Length >= 2 ? Entradas.FirstOrDefault(e => e.Tipo == parts[1]) : null;
        if (entry is not null && Acao.StartsWith(AddWindow, StringComparison.Ordinal) && entry.Janelas.Count < TariffWindow.MaxWindows)
        {
            entry.Janelas.Add(WindowForm.NewFor(entry));
        }
        else if (entry is not null && Acao.StartsWith(RemoveWindow, StringComparison.Ordinal) && parts.Length == 3
                 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k < entry.Janelas.Count)
        {
            entry.Janelas.RemoveAt(k);
        }
        Acao = null;
        return true;
    }

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
        foreach (var e in Entradas) e.Pad();
    }

    /// <summary>The entries as the API takes them (types not sold left out) and, per tariff, API slot index → form row.</summary>
    public Dictionary<string, PlanEntryDto?> Entries(Dictionary<string, string[]> errors, Dictionary<string, List<int>> slotRows)
    {
        ArgumentNullException.ThrowIfNull(slotRows);
        var entries = new Dictionary<string, PlanEntryDto?>(StringComparer.Ordinal);
        foreach (var e in Entradas)
        {
            if (e.ToDto(errors, slotRows) is { } dto) entries[e.Tipo] = dto;
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
