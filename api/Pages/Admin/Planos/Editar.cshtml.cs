using System.Globalization;
using System.Text.RegularExpressions;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Planos;

/// <summary>"Simular tarifa" as typed: number, duration, the circuit's DDD and, optionally, when the call starts.</summary>
public sealed class SimulacaoForm
{
    public string? Numero { get; set; }
    public string? Duracao { get; set; }
    public string? Ddd { get; set; }

    /// <summary>"yyyy-MM-ddTHH:mm" (São Paulo); empty = now.</summary>
    public string? Inicio { get; set; }
}

/// <summary>
/// A plan: create (<c>/admin/planos/novo</c>) or see its versions and add one (<c>/admin/planos/{id}</c>), and
/// "Simular tarifa" through the rating preview, all through <see cref="PlanService"/> (the same code as
/// <c>/api/plans</c> and <c>/api/rating/preview</c>).
/// </summary>
public sealed partial class EditarModel(PlanService plans, RateDeckQueries decks, TimeProvider clock) : AdminPageModel
{
    public DateTimeOffset Now => clock.GetUtcNow();

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "novo";

    [BindProperty]
    public PlanoForm Input { get; set; } = new();

    [BindProperty]
    public SimulacaoForm Simulacao { get; set; } = new();

    public Plan? Plan { get; private set; }

    public IReadOnlyList<RateDeckListItem> Decks { get; private set; } = [];

    /// <summary>The preview's answer and the slots that made its cost (after "Simular").</summary>
    public RatingPreviewResponse? Preview { get; private set; }

    public TariffBreakdown? Breakdown { get; private set; }

    /// <summary>A refusal of the simulation that names no field (type not sold by the plan, no prefix in the deck…).</summary>
    public string? SimulationProblem { get; private set; }

    public bool IsNew => Id == "novo";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!IsNew && !await LoadAsync()) return NotFound();
        Input = PlanoForm.From(IsNew ? null : Plan!.Id, Plan?.Name, Plan?.Latest);
        Simulacao.Ddd ??= "11";
        Simulacao.Duracao ??= "60";
        Decks = await decks.List(ct);
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        Plan = await plans.Get(Id);
        return Plan is not null;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!IsNew && !await LoadAsync()) return NotFound();
        Input.Pad();
        if (Input.ApplyAction())
        {
            // "Adicionar janela" / "Remover janela": the form again, nothing saved
            Input.Pad();
            Simulacao.Ddd ??= "11";
            Simulacao.Duracao ??= "60";
            Decks = await decks.List(ct);
            return Page();
        }
        var slotRows = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var entries = Input.Entries(Errors, slotRows);
        var validFrom = Input.ValidFrom(Errors);
        if (Errors.Count == 0)
        {
            var id = string.IsNullOrWhiteSpace(Input.Id) ? null : Input.Id.Trim();
            var result = IsNew
                ? await plans.Create(new PlanCreateRequest(id, Input.Nome ?? "", validFrom, entries))
                : await plans.AddVersion(Id, new PlanUpdateRequest(Input.Nome, validFrom, entries));
            if (Absorb(result))
            {
                var plan = result.Value!;
                Flash = IsNew
                    ? $"Plano {plan.Name} criado."
                    : string.Create(CultureInfo.InvariantCulture, $"Versão {plan.Latest!.Version} do plano {plan.Name} salva.");
                return Redirect("/admin/planos/" + Uri.EscapeDataString(plan.Id));
            }
            RemapSlotErrors(slotRows);
            NameWindows();
        }
        else
        {
            Problem = "Corrija os campos indicados.";
        }
        Input.Pad();
        Simulacao.Ddd ??= "11";
        Simulacao.Duracao ??= "60";
        Decks = await decks.List(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSimularAsync(CancellationToken ct)
    {
        if (IsNew || !await LoadAsync()) return NotFound();
        Input = PlanoForm.From(Plan!.Id, Plan.Name, Plan.Latest);
        Decks = await decks.List(ct);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var duration = PlanoText.Int(Simulacao.Duracao, "durationSeconds", errors);
        DateTimeOffset? at = null;
        if (!string.IsNullOrWhiteSpace(Simulacao.Inicio))
        {
            var probe = new PlanoForm { ValidoAPartirDe = Simulacao.Inicio };
            at = probe.ValidFrom(errors);
            if (errors.Remove("validFrom", out var msg)) errors["at"] = msg;
        }
        foreach (var (k, v) in errors) Errors["simulacao." + k] = v;
        if (Errors.Count > 0) return Page();

        var result = await plans.Preview(new RatingPreviewRequest(Id, Simulacao.Ddd, Simulacao.Numero, duration, at));
        if (!Absorb(result))
        {
            MoveToSimulation();
            return Page();
        }
        var rating = result.Value!.Rating;
        if (!rating.Ok)
        {
            if (PlanService.FieldOf(rating) is { } field) Errors["simulacao." + field] = [rating.Message ?? "Valor inválido."];
            else SimulationProblem = rating.Message;
            return Page();
        }
        Preview = PlanService.ToResponse(result.Value, duration!.Value);
        Breakdown = TariffBreakdown.Explain(Preview.Tariff, Preview.DurationSeconds);
        return Page();
    }

    /// <summary>The preview's field errors go next to the simulation's fields (not the plan form's).</summary>
    private void MoveToSimulation()
    {
        foreach (var k in Errors.Keys.ToList())
        {
            Errors["simulacao." + k] = Errors[k];
            Errors.Remove(k);
        }
        Problem = null;
    }

    /// <summary>The API numbers slots without the blank rows; the form's fields are per row (of the entry's tariff or a window's).</summary>
    private void RemapSlotErrors(Dictionary<string, List<int>> slotRows)
    {
        foreach (var key in Errors.Keys.ToList())
        {
            var m = SlotKey().Match(key);
            if (!m.Success || !slotRows.TryGetValue(m.Groups[1].Value, out var rows)) continue;
            var k = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (k >= rows.Count || rows[k] == k) continue;
            var mapped = $"{m.Groups[1].Value}.slots[{rows[k].ToString(CultureInfo.InvariantCulture)}]{m.Groups[3].Value}";
            var messages = Errors[key];
            Errors.Remove(key);
            Errors[mapped] = messages;
        }
    }

    /// <summary>The API's messages name windows by path ("a janela entries.local_fixo.windows[1]"); the page by number ("a janela 2").</summary>
    private void NameWindows()
    {
        foreach (var key in Errors.Keys.ToList())
        {
            Errors[key] = [.. Errors[key].Select(m => WindowPath().Replace(m, w =>
                "janela " + (int.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture)))];
        }
    }

    [GeneratedRegex(@"janela entries\.[a-z_]+\.windows\[(\d+)\]")]
    private static partial Regex WindowPath();

    [GeneratedRegex(@"^(entries\.[a-z_]+(?:\.windows\[\d+\])?\.tariff)\.slots\[(\d+)\](.*)$")]
    private static partial Regex SlotKey();

    /// <summary>The pt-BR name of a call type (<c>ldi</c> → "Internacional").</summary>
    public static string TypeLabel(string wire) => CallTypes.ShortLabel(wire);

    /// <summary>Errors of an entry that are not next to one of its inputs (e.g. "entries.ldi", "…tariff.slots").</summary>
    public IEnumerable<string> EntryErrors(EntryForm e) =>
        new[] { e.Field, e.Field + ".tariff", e.Field + ".tariff.slots" }.Where(Errors.ContainsKey).SelectMany(k => Errors[k]);

    /// <summary>Errors of a window that are not next to one of its inputs (the window itself, its tariff, its slots).</summary>
    public IEnumerable<string> WindowErrors(string windowField) =>
        new[] { windowField, windowField + ".tariff", windowField + ".tariff.slots" }.Where(Errors.ContainsKey).SelectMany(k => Errors[k]);

    /// <summary>The errors about a window's days: none checked (<c>.days</c>) or one unknown or repeated (<c>.days[n]</c>).</summary>
    public IEnumerable<string> DayErrors(string windowField) =>
        Errors.Where(kv => kv.Key.Equals(windowField + ".days", StringComparison.OrdinalIgnoreCase)
                           || kv.Key.StartsWith(windowField + ".days[", StringComparison.OrdinalIgnoreCase))
            .SelectMany(kv => kv.Value);

    /// <summary>"seg–sex 07:00–19:00: R$ 0,12/min" per window of <paramref name="entry"/>, in its order.</summary>
    public static IReadOnlyList<string> WindowSummaries(PlanEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Windows is { IsDefaultOrEmpty: false } windows ? [.. windows.Select(WindowText.Summary)] : [];
    }

    /// <summary>How a part of a simulated call reads: its window ("seg–sex 07:00–19:00") or "fora das janelas".</summary>
    public static string PartLabel(RatingPreviewResponse preview, RatingPartResponse part)
    {
        ArgumentNullException.ThrowIfNull(preview);
        ArgumentNullException.ThrowIfNull(part);
        if (part.Window is { } k && preview.Windows is { } windows && k >= 0 && k < windows.Count)
            return WindowText.Days(windows[k].Days) + " " + windows[k].From + "–" + windows[k].To;
        return part.Window is null ? "fora das janelas (tarifa do tipo)" : part.Label;
    }

    /// <summary>"R$ 0,10/min, de 30 em 30 s a partir do segundo 0 (mínimo 30 s)": how a version's entry reads in the versions table.</summary>
    public static string Summary(PlanEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.RateDeckId is { } deck) return "tabela " + deck;
        if (entry.Tariff is not { } t) return "";
        var slots = string.Join(" + ", t.Slots.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"R$ {PlanoText.Price(s.PricePerMinute)}/min, de {s.IncrementSeconds} em {s.IncrementSeconds} s a partir do segundo {s.FromSecond}")));
        var extras = new List<string>();
        if (t.ConnectFee != 0) extras.Add("conexão " + PlanoText.Price(t.ConnectFee));
        if (t.MinimumSeconds != 0) extras.Add("mínimo " + t.MinimumSeconds.ToString(CultureInfo.InvariantCulture) + " s");
        if (t.FreeSeconds != 0) extras.Add("grátis até " + t.FreeSeconds.ToString(CultureInfo.InvariantCulture) + " s");
        return extras.Count == 0 ? slots : slots + " (" + string.Join(", ", extras) + ")";
    }
}
