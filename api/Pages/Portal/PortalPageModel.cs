using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Pages.Portal;

/// <summary>A portal menu, switched on per circuit by its Gestão Web flags.</summary>
public enum PortalFeature
{
    None,
    Faturas,
    Grafico,
    Blacklist,
    Numeros,
    Tabela,
    Perfil,
    Mensagem,
    Resposta,
}

/// <summary>
/// Base of every logged-in portal page: requires the portal cookie, loads the circuit live on every request
/// (a deleted circuit or one whose <c>web</c> flag was switched off is logged out), and answers 403 when the
/// page's menu is not enabled for the circuit, so hidden menus are enforced, not only hidden.
/// </summary>
[Authorize(Policy = PortalSetup.Policy)]
public abstract class PortalPageModel : PageModel
{
    /// <summary>The menu this page belongs to (None: always available once logged in).</summary>
    protected abstract PortalFeature Feature { get; }

    public string Account { get; private set; } = "";
    public CircuitView Circuit { get; private set; } = null!;
    public WebFlags Flags => Circuit.Data.Flags;

    /// <summary>The circuit's low-balance situation (the banner of every page while the available balance is below a threshold).</summary>
    public LowBalanceStatus? LowBalance { get; private set; }

    public static bool Enabled(WebFlags flags, PortalFeature feature)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return feature switch
        {
            PortalFeature.None => true,
            PortalFeature.Faturas => flags.Faturas,
            PortalFeature.Grafico => flags.Grafico,
            PortalFeature.Blacklist => flags.Blacklist,
            PortalFeature.Numeros => flags.Sigame || flags.Acb,
            PortalFeature.Tabela => flags.Tabela,
            PortalFeature.Perfil => flags.Perfil,
            PortalFeature.Mensagem => flags.Mensagem,
            PortalFeature.Resposta => flags.Resposta,
            _ => false,
        };
    }

    public bool Shows(PortalFeature feature) => Enabled(Flags, feature);

    /// <summary>Actor recorded in the audit log for changes made from the portal.</summary>
    protected string Actor => "portal:" + Account;

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var account = User.Account();
        var view = account is null || !CircuitKeys.IsValidAccount(account)
            ? null
            : await HttpContext.RequestServices.GetRequiredService<IClusterClient>().Circuit(account).Get();
        if (view is null || !view.Data.Flags.Web)
        {
            await HttpContext.SignOutAsync(PortalSetup.Scheme);
            context.Result = new RedirectToPageResult("/Portal/Login");
            return;
        }
        Account = account!;
        Circuit = view;
        LowBalance = await HttpContext.RequestServices.GetRequiredService<IClusterClient>().Circuit(account!).GetLowBalance();
        if (!Enabled(view.Data.Flags, Feature))
        {
            context.Result = Forbidden();
            return;
        }
        await next();
    }

    /// <summary>403 with a small pt-BR page.</summary>
    protected static IActionResult Forbidden() => new ContentResult
    {
        StatusCode = StatusCodes.Status403Forbidden,
        ContentType = "text/html; charset=utf-8",
        Content = "<!DOCTYPE html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Acesso negado</title></head>"
            + "<body style=\"font-family:sans-serif;margin:2rem\"><h1>Acesso negado</h1><p>Este recurso não está habilitado para o seu circuito.</p>"
            + "<p><a href=\"/portal\">Voltar ao início</a></p></body></html>",
    };

    /// <summary>404 with a small pt-BR page (used for ids that are not this circuit's: their existence is not revealed).</summary>
    protected static IActionResult NotFoundPage() => new ContentResult
    {
        StatusCode = StatusCodes.Status404NotFound,
        ContentType = "text/html; charset=utf-8",
        Content = "<!DOCTYPE html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>Não encontrado</title></head>"
            + "<body style=\"font-family:sans-serif;margin:2rem\"><h1>Não encontrado</h1><p>O item pedido não existe neste circuito.</p>"
            + "<p><a href=\"/portal\">Voltar ao início</a></p></body></html>",
    };
}
