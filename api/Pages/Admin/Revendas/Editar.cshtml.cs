using System.Collections.Immutable;
using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Resellers;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Revendas;

public sealed class ResellerContactRow
{
    public string? Nome { get; set; }
    public string? Email { get; set; }
    public string? Telefone { get; set; }
    public string? Cargo { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Nome) && string.IsNullOrWhiteSpace(Email)
        && string.IsNullOrWhiteSpace(Telefone) && string.IsNullOrWhiteSpace(Cargo);
}

public sealed class ResellerForm
{
    public string? Nome { get; set; }
    public string? Documento { get; set; }
    public string? Email { get; set; }
    public string? Telefone { get; set; }
    public string? Observacoes { get; set; }

    /// <summary>Typed as text ("10,00"): a value that is not a number is an error next to the field.</summary>
    public string? DidMonthlyFee { get; set; }

    public string? CompletionPricePerMinute { get; set; }

    public List<ResellerContactRow> Contatos { get; set; } = [];

    public static ResellerForm From(ResellerView v) => new()
    {
        Nome = v.Data.Nome, Documento = TaxIdText(v.Data.Documento), Email = v.Data.Email, Telefone = v.Data.Telefone,
        Observacoes = v.Data.Observacoes, DidMonthlyFee = AdminHtml.Money(v.Data.DidMonthlyFee),
        CompletionPricePerMinute = v.Data.CompletionPricePerMinute.ToString("0.00####", AdminHtml.PtBr),
        Contatos = (v.Data.Contatos.IsDefault ? [] : v.Data.Contatos)
            .Select(c => new ResellerContactRow { Nome = c.Nome, Email = c.Email, Telefone = c.Telefone, Cargo = c.Cargo }).ToList(),
    };

    private static string TaxIdText(string documento) => GrainInterfaces.Registration.TaxId.Format(documento);

    /// <summary>
    /// The data to save, or the field errors of amounts that are not numbers. Contact rows left blank are dropped;
    /// <paramref name="rowOf"/> maps each kept contact's index to its row on the form (for errors next to the right row).
    /// </summary>
    public ResellerData? ToData(Dictionary<string, string[]> errors, out List<int> rowOf)
    {
        if (!AdminLookups.TryMoney(DidMonthlyFee, out var fee)) errors["didMonthlyFee"] = ["Informe um valor como 10,00."];
        if (!AdminLookups.TryMoney(CompletionPricePerMinute, out var price)) errors["completionPricePerMinute"] = ["Informe um valor como 0,12."];
        rowOf = [];
        var contacts = ImmutableArray.CreateBuilder<ResellerContact>();
        for (var i = 0; i < Contatos.Count; i++)
        {
            var c = Contatos[i];
            if (c is null || c.IsBlank) continue;
            rowOf.Add(i);
            contacts.Add(new ResellerContact { Nome = c.Nome ?? "", Email = c.Email, Telefone = c.Telefone, Cargo = c.Cargo });
        }
        if (errors.Count > 0) return null;
        return new ResellerData
        {
            Nome = Nome ?? "", Documento = Documento ?? "", Email = Email, Telefone = Telefone, Observacoes = Observacoes,
            Contatos = contacts.ToImmutable(), DidMonthlyFee = fee ?? 0m, CompletionPricePerMinute = price ?? 0m,
        };
    }
}

/// <summary>
/// A reseller ("revenda"): create/edit with contacts, DID monthly fee and completion price per minute (through
/// <see cref="ResellerService"/>, like /api/resellers), its customers (link, unlink), its DIDs and live totals, delete.
/// </summary>
public sealed class EditarModel(ResellerService resellers, ResellerQueries queries, DidQueries dids) : AdminPageModel
{
    /// <summary>"novo" or the reseller id.</summary>
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "novo";

    [BindProperty]
    public ResellerForm Input { get; set; } = new();

    [BindProperty]
    public string? ClienteId { get; set; }

    public ResellerView? Reseller { get; private set; }

    public ResellerTotals? Totals { get; private set; }

    public IReadOnlyList<ResellerCustomer> Customers { get; private set; } = [];

    public PagedResult<DidListItem>? Dids { get; private set; }

    public long? ResellerId => long.TryParse(Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public bool IsNew => ResellerId is null;

    private string Self => "/admin/revendas/" + Id;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (IsNew)
        {
            if (Id != "novo") return NotFound();
            Input.Contatos.Add(new ResellerContactRow());
            return Page();
        }
        if (!await LoadAsync(ct)) return NotFound();
        Input = ResellerForm.From(Reseller!);
        Input.Contatos.Add(new ResellerContactRow()); // a blank row adds a contact
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (ResellerId is not { } id) return false;
        Reseller = await resellers.Get(id);
        if (Reseller is null) return false;
        Totals = await resellers.Totals(id);
        Customers = await queries.Customers(id, ct);
        Dids = await dids.List(null, id, null, 1, Paging.DefaultPageSize, ct);
        return true;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!IsNew && ResellerId is null || IsNew && Id != "novo") return NotFound();
        var data = Input.ToData(Errors, out var rowOf);
        if (data is null)
        {
            Problem = "Corrija os campos indicados.";
            return await AgainAsync(ct);
        }
        var actor = CommandResults.Actor(HttpContext);
        var result = IsNew ? await resellers.Create(data, actor) : await resellers.Update(ResellerId!.Value, data, actor);
        if (!Absorb(result))
        {
            // a contact's error goes next to its row on the form (blank rows were dropped before saving)
            foreach (var key in Errors.Keys.Where(k => k.StartsWith("contatos[", StringComparison.Ordinal)).ToList())
            {
                var close = key.IndexOf(']', StringComparison.Ordinal);
                if (close > 9 && int.TryParse(key.AsSpan(9, close - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < rowOf.Count && rowOf[i] != i)
                {
                    Errors[string.Create(CultureInfo.InvariantCulture, $"contatos[{rowOf[i]}]") + key[(close + 1)..]] = Errors[key];
                    Errors.Remove(key);
                }
            }
            return await AgainAsync(ct);
        }
        var v = result.Value!;
        Flash = IsNew ? $"Revenda {v.Data.Nome} cadastrada." : "Dados da revenda salvos.";
        return Redirect("/admin/revendas/" + v.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The form again with what was typed (and a blank contact row when none is left).</summary>
    private async Task<IActionResult> AgainAsync(CancellationToken ct)
    {
        if (!IsNew && !await LoadAsync(ct)) return NotFound();
        if (Input.Contatos.Count == 0 || !Input.Contatos[^1].IsBlank) Input.Contatos.Add(new ResellerContactRow());
        return Page();
    }

    public async Task<IActionResult> OnPostRemoverContatoAsync(int indice)
    {
        if (ResellerId is not { } id) return NotFound();
        var current = await resellers.Get(id);
        if (current is null) return NotFound();
        var contacts = current.Data.Contatos.IsDefault ? [] : current.Data.Contatos;
        if (indice < 0 || indice >= contacts.Length) return Redirect(Self + "#contatos");
        var r = await resellers.Update(id, current.Data with { Contatos = contacts.RemoveAt(indice) }, CommandResults.Actor(HttpContext));
        Flash = Absorb(r) ? "Contato removido." : Problem;
        return Redirect(Self + "#contatos");
    }

    public async Task<IActionResult> OnPostVincularAsync(CancellationToken ct)
    {
        if (ResellerId is not { } id) return NotFound();
        long? customerId = null;
        if (string.IsNullOrWhiteSpace(ClienteId)) Errors["customerId"] = ["Informe o código do cliente."];
        else if (long.TryParse(ClienteId.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var cid)) customerId = cid;
        else Errors["customerId"] = ["Código de cliente inválido (só dígitos)."];
        if (Errors.Count == 0)
        {
            var r = await resellers.LinkCustomer(id, customerId, CommandResults.Actor(HttpContext));
            if (Absorb(r))
            {
                Flash = string.Create(CultureInfo.InvariantCulture, $"Cliente {r.Value} vinculado à revenda.");
                return Redirect(Self + "#clientes");
            }
            // a customer that does not exist or belongs to another reseller is said next to the field
            if (!Errors.ContainsKey("customerId") && Problem is not null && Errors.Count == 0) Errors["customerId"] = [Problem];
        }
        if (!await LoadAsync(ct)) return NotFound();
        Input = ResellerForm.From(Reseller!);
        Input.Contatos.Add(new ResellerContactRow());
        return Page();
    }

    public async Task<IActionResult> OnPostDesvincularAsync(long clienteId)
    {
        if (ResellerId is not { } id) return NotFound();
        var r = await resellers.UnlinkCustomer(id, clienteId, CommandResults.Actor(HttpContext));
        Flash = Absorb(r) ? string.Create(CultureInfo.InvariantCulture, $"Cliente {clienteId} desvinculado da revenda.") : Problem;
        return Redirect(Self + "#clientes");
    }

    public async Task<IActionResult> OnPostExcluirAsync(CancellationToken ct)
    {
        if (ResellerId is not { } id) return NotFound();
        var r = await resellers.Delete(id, CommandResults.Actor(HttpContext));
        if (Absorb(r))
        {
            Flash = "Revenda excluída.";
            return Redirect("/admin/revendas");
        }
        if (!await LoadAsync(ct)) return NotFound();
        Input = ResellerForm.From(Reseller!);
        Input.Contatos.Add(new ResellerContactRow());
        return Page();
    }
}
