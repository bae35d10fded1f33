using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.Registration;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Clientes;

public sealed class CustomerForm
{
    public string? Nome { get; set; }
    public string? Documento { get; set; }
    public string? RazaoSocial { get; set; }
    public string? InscricaoEstadual { get; set; }
    public string? Cep { get; set; }
    public string? Pais { get; set; }
    public string? Uf { get; set; }
    public string? Cidade { get; set; }
    public string? Bairro { get; set; }
    public string? Logradouro { get; set; }
    public string? Numero { get; set; }
    public string? Complemento { get; set; }
    public string? Observacoes { get; set; }

    public CustomerRequest ToRequest() =>
        new(Nome, Documento, RazaoSocial, InscricaoEstadual, Cep, Pais, Uf, Cidade, Bairro, Logradouro, Numero, Complemento, Observacoes);

    public static CustomerForm From(CustomerResponse c) => new()
    {
        Nome = c.Nome, Documento = c.Documento, RazaoSocial = c.RazaoSocial, InscricaoEstadual = c.InscricaoEstadual, Cep = c.Cep,
        Pais = c.Pais, Uf = c.Uf, Cidade = c.Cidade, Bairro = c.Bairro, Logradouro = c.Logradouro, Numero = c.Numero,
        Complemento = c.Complemento, Observacoes = c.Observacoes,
    };
}

public sealed class ContactForm
{
    public long? Id { get; set; }
    public string? Nome { get; set; }
    public string? Email { get; set; }
    public string? Telefone { get; set; }
    public string? Cargo { get; set; }

    public ContactRequest ToRequest() => new(Nome, Email, Telefone, Cargo);
}

/// <summary>One circuit of the customer panel: its open (partial) invoice of the current period.</summary>
public sealed record PanelCircuit(string Account, string Name, string Period, int Calls, decimal Open);

/// <summary>
/// The customer panel (seed 003: every circuit with its open, partial invoice and the consolidated total) above the
/// customer's registration and contacts, which are created/edited through <see cref="CustomerService"/>.
/// </summary>
public sealed class EditarModel(CustomerService customers, CircuitQueries circuitQueries, CircuitService circuits, PortalData portal)
    : AdminPageModel
{
    public IReadOnlyList<PanelCircuit> Panel { get; private set; } = [];

    public decimal PanelTotal => Panel.Sum(c => c.Open);

    /// <summary>"novo" or the customer id.</summary>
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "novo";

    [BindProperty]
    public CustomerForm Input { get; set; } = new();

    [BindProperty]
    public ContactForm Contato { get; set; } = new();

    public CustomerResponse? Customer { get; private set; }

    public long? CustomerId => long.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public bool IsNew => CustomerId is null;

    public async Task<IActionResult> OnGetAsync(long? contato)
    {
        if (IsNew) return Id == "novo" ? Page() : NotFound();
        if (!await LoadAsync()) return NotFound();
        Input = CustomerForm.From(Customer!);
        if (contato is { } cid && Customer!.Contatos.FirstOrDefault(c => c.Id == cid) is { } c)
            Contato = new ContactForm { Id = c.Id, Nome = c.Nome, Email = c.Email, Telefone = c.Telefone, Cargo = c.Cargo };
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        if (CustomerId is not { } id) return false;
        Customer = await customers.Get(id) is { } view ? CustomerResponse.From(view) : null;
        if (Customer is null) return false;
        await PanelAsync(id);
        return true;
    }

    /// <summary>Open invoice of each circuit (live period totals from its grain, plus monthly fee and DID fees), in parallel.</summary>
    private async Task PanelAsync(long id)
    {
        var ct = HttpContext.RequestAborted;
        var list = await circuitQueries.OfCustomer(id, ct);
        var rows = await Task.WhenAll(list.Select(async c =>
        {
            var view = await circuits.Get(c.Account);
            if (view is null) return null;
            var open = await portal.OpenInvoiceAsync(c.Account, view, ct);
            return new PanelCircuit(c.Account, view.Data.Name, open.Period, open.Calls, open.Total);
        }));
        Panel = rows.OfType<PanelCircuit>().ToList();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (IsNew)
        {
            if (Id != "novo") return NotFound();
            var created = await customers.Create(Input.ToRequest().ToData(), CommandResults.Actor(HttpContext));
            if (!Absorb(created)) return Page();
            var c = created.Value!;
            Flash = $"Cliente {c.Data.Nome} cadastrado.";
            return Redirect("/admin/clientes/" + c.Id.ToString(CultureInfo.InvariantCulture));
        }
        var updated = await customers.Update(CustomerId!.Value, Input.ToRequest().ToData(), CommandResults.Actor(HttpContext));
        if (!Absorb(updated))
        {
            await LoadAsync();
            return Page();
        }
        Flash = "Dados do cliente salvos.";
        return Redirect("/admin/clientes/" + Id);
    }

    public async Task<IActionResult> OnPostContatoAsync()
    {
        if (CustomerId is not { } id) return NotFound();
        var r = await customers.SaveContact(id, Contato.Id, Contato.ToRequest().ToData(), CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            // contact errors are shown next to the contact form's fields
            foreach (var k in Errors.Keys.ToList())
            {
                Errors["contato." + k] = Errors[k];
                Errors.Remove(k);
            }
            if (!await LoadAsync()) return NotFound();
            Input = CustomerForm.From(Customer!);
            return Page();
        }
        Flash = Contato.Id is null ? "Contato adicionado." : "Contato atualizado.";
        return Redirect("/admin/clientes/" + Id + "#contatos");
    }

    public async Task<IActionResult> OnPostRemoverContatoAsync(long contatoId)
    {
        if (CustomerId is not { } id) return NotFound();
        var r = await customers.RemoveContact(id, contatoId, CommandResults.Actor(HttpContext));
        Flash = Absorb(r) ? "Contato removido." : Problem;
        return Redirect("/admin/clientes/" + Id + "#contatos");
    }

    public IEnumerable<string> Ufs => Uf.All;
}
