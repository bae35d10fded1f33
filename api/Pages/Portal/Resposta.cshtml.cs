using Billing.Api.Application;
using Billing.GrainInterfaces.Portal;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Portal;

/// <summary>
/// "Resposta" (Gestão Web flag <c>resposta</c>, seed 001, next to Mensagem): the customer answers the operator's message or
/// writes to the operator; the reply is stored by the circuit's reply grain and read by the operator in
/// <c>/admin/respostas</c>. The form carries a key generated when it is rendered, so a double submit stores one reply.
/// </summary>
public sealed class RespostaModel(PortalService portal, PortalQueries queries, IConfiguration config) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Resposta;

    [BindProperty(Name = "assunto")] public string? Assunto { get; set; }
    [BindProperty(Name = "mensagem")] public string? Mensagem { get; set; }
    [BindProperty(Name = "chave")] public string? Chave { get; set; }
    [FromQuery(Name = "enviada")] public bool Sent { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = new(StringComparer.Ordinal);
    public string? Error { get; private set; }
    public string? OperatorMessage { get; private set; }
    public IReadOnlyList<PortalReply> Replies { get; private set; } = [];

    private async Task LoadAsync(CancellationToken ct)
    {
        OperatorMessage = Flags.Mensagem ? config["Billing:Portal:Mensagem"] : null;
        Replies = await queries.CircuitRepliesAsync(Account, Circuit.Data.CustomerId, ct);
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Chave = Guid.NewGuid().ToString("N");
        await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var r = await portal.SendReply(Account, Circuit.Data.CustomerId, Assunto, Mensagem, Chave);
        if (r.IsOk) return Redirect("/portal/resposta?enviada=true");
        Errors = r.Errors?.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) ?? new(StringComparer.Ordinal);
        // the key is not the customer's to fix: a form without one (or a forged one) gets a fresh key and a general message
        if (Errors.Remove("idempotencyKey") || Errors.Count == 0) Error = r.Message ?? "Não foi possível enviar a resposta; tente de novo.";
        if (string.IsNullOrWhiteSpace(Chave) || Chave.Length > PortalReplies.MaxKey) Chave = Guid.NewGuid().ToString("N");
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(ct);
        return Page();
    }
}
