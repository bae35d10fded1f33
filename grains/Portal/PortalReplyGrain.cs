using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Portal;
using Npgsql;

namespace Billing.Grains.Portal;

/// <summary>
/// "Resposta" of one circuit (<c>portalreply:&lt;account&gt;</c>): stores what the customer writes to the operator from
/// the portal and the operator's "lida" mark. The only writer of this circuit's <c>portal_replies</c> rows; nothing is
/// kept in memory (the table is the record).
/// </summary>
public sealed class PortalReplyGrain(NpgsqlDataSource db, TimeProvider clock) : Grain, IPortalReplyGrain
{
    private readonly PortalReplyStore _store = new(db);

    private string Account => this.GetPrimaryKeyString()["portalreply:".Length..];

    public async Task<CommandResult<PortalReply>> Send(long customerId, string subject, string body, string requestKey)
    {
        var errors = PortalReplies.Validate(subject, body, requestKey);
        if (errors.Count > 0) return CommandResult<PortalReply>.Invalid(errors);
        if (customerId <= 0) return CommandResult<PortalReply>.Invalid("customerId", "Cliente inválido.");
        return CommandResult<PortalReply>.Ok(
            await _store.InsertAsync(Account, customerId, subject.Trim(), body.Trim(), requestKey, clock.GetUtcNow()));
    }

    public async Task<CommandResult<PortalReply>> MarkRead(long id, string actor) =>
        await _store.MarkReadAsync(Account, id, string.IsNullOrWhiteSpace(actor) ? "desconhecido" : actor, clock.GetUtcNow()) is { } reply
            ? CommandResult<PortalReply>.Ok(reply)
            : CommandResult<PortalReply>.NotFound($"Resposta {PortalReplies.IdText(id)} não encontrada neste circuito.");
}
