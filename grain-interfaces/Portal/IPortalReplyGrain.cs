using System.Globalization;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Portal;

/// <summary>
/// "Resposta" (Gestão Web flag, seed 001): the customer's answer to the operator — a message written in the portal
/// (menu Resposta, next to the operator's Mensagem) that the operator reads in the admin (<c>/admin/respostas</c>).
/// One grain per circuit, key <c>portalreply:&lt;account&gt;</c>; it alone writes the <c>portal_replies</c> rows of
/// its circuit.
/// </summary>
[Alias("Billing.IPortalReplyGrain")]
public interface IPortalReplyGrain : IGrainWithStringKey
{
    /// <summary>Stores a reply of this circuit's customer. The same <paramref name="requestKey"/> again answers the stored reply.</summary>
    [Alias("Send")]
    Task<CommandResult<PortalReply>> Send(long customerId, string subject, string body, string requestKey);

    /// <summary>The operator marks one of this circuit's replies as read (idempotent). NotFound for another circuit's id.</summary>
    [Alias("MarkRead")]
    Task<CommandResult<PortalReply>> MarkRead(long id, string actor);
}

[GenerateSerializer, Immutable, Alias("Billing.PortalReply")]
public sealed record PortalReply(
    [property: Id(0)] long Id,
    [property: Id(1)] string Account,
    [property: Id(2)] long CustomerId,
    [property: Id(3)] string Subject,
    [property: Id(4)] string Body,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset? ReadAt,
    [property: Id(7)] string? ReadBy);

public static class PortalReplies
{
    public const int MaxSubject = 120;
    public const int MaxBody = 4000;
    public const int MaxKey = 100;

    public static string Key(string account) => "portalreply:" + account;

    public static IPortalReplyGrain PortalReply(this IGrainFactory grains, string account)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IPortalReplyGrain>(Key(account));
    }

    /// <summary>Field errors (assunto, mensagem) in pt-BR; empty when the reply may be stored.</summary>
    public static Dictionary<string, string[]> Validate(string? subject, string? body, string? requestKey)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (InputRules.RequiredText(subject, MaxSubject) is { } badSubject) errors["assunto"] = [badSubject];
        if (InputRules.RequiredText(body, MaxBody, multiline: true) is { } badBody) errors["mensagem"] = [badBody];
        if (InputRules.RequiredText(requestKey, MaxKey) is { } badKey) errors["idempotencyKey"] = [badKey];
        return errors;
    }

    public static string IdText(long id) => id.ToString(CultureInfo.InvariantCulture);
}
