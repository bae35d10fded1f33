using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Feriados;

/// <summary>
/// Feriados: the holidays of a year that tariff windows with "feriado" match — the national ones (computed, cannot be
/// deleted) and the operator's (add {date, name, optional UF}, delete after a confirmation), all through
/// <see cref="HolidayService"/> (the same code as <c>/api/holidays</c>).
/// </summary>
public sealed class IndexModel(HolidayService holidays) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "ano")]
    public string? Ano { get; set; }

    [BindProperty]
    public string? Data { get; set; }

    [BindProperty]
    public string? Nome { get; set; }

    [BindProperty]
    public string? Uf { get; set; }

    [BindProperty]
    public long? Id { get; set; }

    public int Year { get; private set; }

    public IReadOnlyList<Holiday> Holidays { get; private set; } = [];

    public async Task OnGetAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        int? year = null;
        if (!string.IsNullOrWhiteSpace(Ano))
        {
            if (int.TryParse(Ano.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var y)) year = y;
            else Errors["year"] = [$"Use um ano de {BrazilianHolidays.MinYear} a {BrazilianHolidays.MaxYear}."];
        }
        var result = Errors.ContainsKey("year") ? null : await holidays.List(year);
        if (result is { IsOk: true, Value: { } v })
        {
            Year = v.Year;
            Holidays = v.Holidays;
            return;
        }
        if (result is not null)
        {
            foreach (var (k, msgs) in result.Errors ?? new Dictionary<string, string[]>()) Errors[k] = msgs;
        }
        // a year that is not one: this year's list, the error next to the year field
        var current = await holidays.List(null);
        Year = current.Value!.Year;
        Holidays = current.Value.Holidays;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var date = ParseDate(Data);
        if (date is null && !string.IsNullOrWhiteSpace(Data))
        {
            Errors["date"] = ["Data inválida: use dd/mm/aaaa."];
            Problem = "Corrija os campos indicados.";
            return await ShowAgainAsync(LoadAsync);
        }
        var uf = string.IsNullOrWhiteSpace(Uf) ? null : Uf.Trim();
        var result = await holidays.Add(date, Nome, uf, CommandResults.Actor(HttpContext));
        if (result.Status == CommandStatus.Conflict)
        {
            // that date (and UF) already has a holiday: said next to the date
            Errors["date"] = [result.Message ?? "Já existe um feriado nesta data."];
            Problem = "Corrija os campos indicados.";
            return await ShowAgainAsync(LoadAsync);
        }
        if (!Absorb(result)) return await ShowAgainAsync(LoadAsync);
        var h = result.Value!;
        Flash = $"Feriado {h.Name} ({AdminHtml.Date(h.Date)}{(h.Uf is null ? "" : ", " + h.Uf)}) incluído.";
        return Redirect("/admin/feriados?ano=" + h.Date.Year.ToString(CultureInfo.InvariantCulture));
    }

    public async Task<IActionResult> OnPostExcluirAsync()
    {
        if (Id is not { } id)
        {
            Problem = "Informe o feriado a excluir.";
            return await ShowAgainAsync(LoadAsync);
        }
        var before = (await holidays.List(ParseYear())).Value?.Holidays.FirstOrDefault(h => h.Id == id);
        var result = await holidays.Remove(id, CommandResults.Actor(HttpContext));
        if (!Absorb(result)) return await ShowAgainAsync(LoadAsync);
        Flash = before is null ? "Feriado excluído." : $"Feriado {before.Name} ({AdminHtml.Date(before.Date)}) excluído.";
        return Redirect("/admin/feriados?ano=" + (before?.Date.Year ?? ParseYear() ?? holidays.CurrentYear).ToString(CultureInfo.InvariantCulture));
    }

    private int? ParseYear() =>
        int.TryParse(Ano, NumberStyles.None, CultureInfo.InvariantCulture, out var y) ? y : null;

    /// <summary>"2027-03-26" (an &lt;input type="date"&gt;) or "26/03/2027".</summary>
    private static DateOnly? ParseDate(string? text) =>
        !string.IsNullOrWhiteSpace(text) && DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "dd/MM/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : null;

    /// <summary>"sexta-feira" of a date.</summary>
    public static string Weekday(DateOnly d) => d.ToString("dddd", AdminHtml.PtBr);
}
