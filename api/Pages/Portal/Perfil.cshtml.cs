using Billing.GrainInterfaces.Registration;

namespace Billing.Api.Pages.Portal;

/// <summary>The customer's registration and contacts (read-only).</summary>
public sealed class PerfilModel(IClusterClient cluster) : PortalPageModel
{
    protected override PortalFeature Feature => PortalFeature.Perfil;

    public CustomerView? Customer { get; private set; }

    public async Task OnGetAsync() => Customer = await cluster.Customer(Circuit.Data.CustomerId).Get();
}
