using Billing.Api.Apis;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>SIP Trace of a circuit (the circuit list's "Trace" action): on/off and the messages, newest first, via <see cref="SipTraceApi"/>.</summary>
public sealed class TraceModel(IClusterClient cluster, NpgsqlDataSource db, TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Account { get; set; } = "";

    public SipTraceResponse? Trace { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var r = await SipTraceApi.Get(Account, cluster, db, clock, ct);
        if (!Absorb(r)) return NotFound();
        Trace = ApiResults.Value<SipTraceResponse>(r);
        return Trace is null ? NotFound() : Page();
    }

    public Task<IActionResult> OnPostLigarAsync(CancellationToken ct) => SetAsync(true, ct);

    public Task<IActionResult> OnPostDesligarAsync(CancellationToken ct) => SetAsync(false, ct);

    private async Task<IActionResult> SetAsync(bool enabled, CancellationToken ct)
    {
        var r = await SipTraceApi.Set(Account, new SipTraceRequest(enabled), cluster, HttpContext);
        if (!Absorb(r)) return NotFound();
        Flash = enabled
            ? "Trace SIP ligado: as mensagens do circuito aparecem abaixo em até alguns segundos."
            : "Trace SIP desligado: nenhuma mensagem nova será guardada.";
        return Redirect($"/admin/circuitos/{Account}/trace");
    }

    /// <summary>Kamailio's time of the message in São Paulo, to the millisecond.</summary>
    public static string Time(DateTimeOffset at) =>
        Billing.GrainInterfaces.Common.SaoPauloTime.Local(at).ToString("dd/MM/yyyy HH:mm:ss.fff", AdminHtml.PtBr);
}
