using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Documents;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>
/// Ligações of a circuit (the list's "CDR" action): day range (São Paulo days), direction, number digits, 50 per page,
/// and the same rows as CSV (<see cref="CircuitCallQueries"/>, the query of GET /api/circuits/{account}/calls).
/// </summary>
public sealed class LigacoesModel(CircuitService circuits, CircuitCallQueries ledger) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Account { get; set; } = "";

    /// <summary>First day (yyyy-MM-dd, from a date input).</summary>
    [BindProperty(SupportsGet = true, Name = "de")]
    public string? De { get; set; }

    /// <summary>Last day, included.</summary>
    [BindProperty(SupportsGet = true, Name = "ate")]
    public string? Ate { get; set; }

    /// <summary>"" (both), "efetuadas" or "recebidas".</summary>
    [BindProperty(SupportsGet = true, Name = "direcao")]
    public string? Direcao { get; set; }

    [BindProperty(SupportsGet = true, Name = "numero")]
    public string? Numero { get; set; }

    [BindProperty(SupportsGet = true, Name = "pagina")]
    public int Pagina { get; set; } = 1;

    public string CircuitName { get; private set; } = "";

    public PagedResult<CallHistoryItem>? Result { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await circuits.Get(Account) is not { } view) return NotFound();
        CircuitName = view.Data.Name;
        if (Filter() is { } filter) Result = await ledger.Calls(Account, filter, Math.Max(Pagina, 1), Paging.DefaultPageSize, ct);
        return Page();
    }

    /// <summary>Every call under the filters (at most <see cref="CircuitCallQueries.MaxExport"/>) as a pt-BR CSV.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (await circuits.Get(Account) is not { } view) return NotFound();
        CircuitName = view.Data.Name;
        if (Filter() is not { } filter) return Page();
        var calls = await ledger.AllCalls(Account, filter, ct);
        var bytes = PtBrCsv.Write(csv =>
        {
            csv.WriteHeader(["Data", "Direção", "Número", "Origem", "Tipo", "Duração (s)", "Tarifada (s)", "Valor (R$)", "Causa", "Call-ID"]);
            foreach (var c in calls)
            {
                csv.WriteField(AdminHtml.DateTime(c.StartedAt));
                csv.WriteField(DirectionLabel(c.Direction));
                csv.WriteField(c.Destination ?? c.Normalized ?? "");
                csv.WriteField(c.Caller ?? "");
                csv.WriteField(PortalFormat.CallType(c.CallType));
                csv.WriteField((c.DurationSeconds ?? 0).ToString(CultureInfo.InvariantCulture));
                csv.WriteField((c.BilledSeconds ?? 0).ToString(CultureInfo.InvariantCulture));
                csv.WriteMoney(c.Cost);
                csv.WriteField(c.HangupCause ?? "");
                csv.WriteField(c.CallId);
                csv.EndRecord();
            }
        });
        return File(bytes, "text/csv; charset=utf-8", $"ligacoes-{Account}.csv");
    }

    public static string DirectionLabel(string? direction) => direction switch
    {
        "inbound" => "Recebida",
        "outbound" => "Efetuada",
        _ => direction ?? "",
    };

    /// <summary>The filters as the query takes them; null (with errors next to the fields) when one is invalid.</summary>
    private CallFilter? Filter()
    {
        DateOnly? from = Day(De, "de"), to = Day(Ate, "ate");
        if (from is { } f && to is { } t && t < f) Errors["ate"] = ["A data final deve ser igual ou posterior à inicial."];
        string? direction = Direcao switch
        {
            null or "" => null,
            "efetuadas" => "outbound",
            "recebidas" => "inbound",
            _ => Invalid("direcao", "Use efetuadas ou recebidas."),
        };
        var digits = (Numero ?? "").Trim();
        if (digits.StartsWith('+')) digits = digits[1..];
        if (digits.Length > 0 && (digits.Length > 20 || !digits.All(char.IsAsciiDigit)))
            Errors["numero"] = ["Informe só os dígitos do número (até 20)."];
        if (Errors.Count > 0)
        {
            Problem = "Corrija os campos indicados.";
            return null;
        }
        return new CallFilter(
            from is { } a ? new DateTimeOffset(PortalData.StartOfDayUtc(a), TimeSpan.Zero) : null,
            to is { } b ? new DateTimeOffset(PortalData.StartOfDayUtc(b.AddDays(1)), TimeSpan.Zero) : null,
            direction, digits.Length == 0 ? null : digits);
    }

    private DateOnly? Day(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            || DateOnly.TryParseExact(text.Trim(), "dd/MM/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
            return d;
        Errors[field] = ["Informe a data como dd/mm/aaaa."];
        return null;
    }

    private string? Invalid(string field, string message)
    {
        Errors[field] = [message];
        return null;
    }
}
