using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>SIP Trace of a circuit (the circuit list's "Trace" action): on/off and the messages, newest first, via <see cref="SipTraceService"/> and <see cref="SipTraceQueries"/>.</summary>
public sealed class TraceModel(SipTraceService traces, SipTraceQueries queries) : AdminPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Account { get; set; } = "";

    public SipTraceResponse? Trace { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var r = await queries.Get(Account, null, ct);
        if (!Absorb(r)) return NotFound();
        Trace = r.Value;
        return Page();
    }

    public Task<IActionResult> OnPostLigarAsync() => SetAsync(true);

    public Task<IActionResult> OnPostDesligarAsync() => SetAsync(false);

    private async Task<IActionResult> SetAsync(bool enabled)
    {
        var r = await traces.Set(Account, enabled, CommandResults.Actor(HttpContext));
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
