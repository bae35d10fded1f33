namespace Billing.Api.Pages.Portal;

/// <summary>The operator's notice to all portal users (configuration <c>Billing:Portal:Mensagem</c>).</summary>
public sealed class MensagemModel(IConfiguration config) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Mensagem;

    public string? Text { get; private set; }

    public void OnGet() => Text = config["Billing:Portal:Mensagem"];
}
