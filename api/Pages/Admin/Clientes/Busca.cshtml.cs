using Billing.Api.Application;
using Billing.Api.Web;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Clientes;

/// <summary>One suggestion of the customer picker.</summary>
public sealed record CustomerSuggestion(long Id, string Nome, string Documento);

/// <summary>
/// The customer picker's search as you type (<c>_BuscaCliente</c>): up to 10 live customers whose name, document or city
/// matches, as JSON — the query of the customer list (<see cref="CustomerQueries"/>).
/// </summary>
public sealed class BuscaModel(CustomerQueries customers) : AdminPageModel
{
    public const int MaxSuggestions = 10;

    public async Task<IActionResult> OnGetAsync(string? q, CancellationToken ct)
    {
        var text = (q ?? "").Trim();
        if (text.Length > 100) return new JsonResult(Array.Empty<CustomerSuggestion>());
        var page = await customers.List(text, 1, MaxSuggestions, ct);
        return new JsonResult(page.Items.Select(c => new CustomerSuggestion(c.Id, c.Nome, c.Documento)).ToList());
    }
}
