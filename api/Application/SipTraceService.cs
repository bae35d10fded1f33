using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Application;

/// <summary>
/// SIP Trace of a circuit (seed 003's "Trace" action; README "SIP Trace"), for <c>PUT /api/circuits/{account}/trace</c>
/// and the admin page: switched on/off through the circuit's trace grain. The messages are read by <see cref="SipTraceQueries"/>.
/// </summary>
public sealed class SipTraceService(IClusterClient cluster, SipTraceQueries queries)
{
    public async Task<CommandResult<SipTraceResponse>> Set(string account, bool? enabled, string actor)
    {
        if (enabled is not { } on)
            return CommandResult<SipTraceResponse>.Invalid("enabled", "Informe enabled: true para ligar o trace SIP do circuito, false para desligar.");
        if (!await queries.Exists(account)) return CommandResult<SipTraceResponse>.NotFound($"Circuito {account} não encontrado.");
        var status = await cluster.SipTrace(account).SetEnabled(on, actor);
        return CommandResult<SipTraceResponse>.Ok(SipTraceResponse.Of(account, status, []));
    }
}
