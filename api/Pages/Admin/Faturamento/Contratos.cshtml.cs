using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Web;
using Billing.GrainInterfaces.PendingBilling;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>The contract form as typed (dates dd/mm/aaaa or aaaa-mm-dd, money 1.234,56).</summary>
public sealed class ContratoForm
{
    public long? Id { get; set; }
    public long? Cliente { get; set; }
    public string? Nome { get; set; }
    public string? Tipo { get; set; } = ContractKinds.Servico;
    public string? Circuito { get; set; }
    public string? Did { get; set; }
    public string? Valor { get; set; }
    public string? Cobranca { get; set; } = ContractTimings.Antecipado;
    public int? Dia { get; set; } = 1;
    public int? DiasVencimento { get; set; } = 10;
    public string? Inicio { get; set; }
    public string? Fim { get; set; }

    public static ContratoForm From(ContractResponse c) => new()
    {
        Id = c.Id, Cliente = c.CustomerId, Nome = c.Name, Tipo = c.Kind, Circuito = c.Account, Did = c.DidNumber,
        Valor = c.Amount is { } v ? v.ToString("0.00", AdminHtml.PtBr) : null, Cobranca = c.Timing, Dia = c.DayOfMonth, DiasVencimento = c.DueDays,
        Inicio = FaturamentoForm.Iso(c.StartDate), Fim = c.EndDate is { } e ? FaturamentoForm.Iso(e) : null,
    };
}

/// <summary>
/// Contratos: the recurring contracts of pending billing (monthly fee of a circuit with its usage, a DID fee, a fixed service),
/// listed by customer; create, edit, "Encerrar" (the contract ends on a date; its billed periods stay) and "Excluir" (only
/// while nothing of it is billed), each destructive step behind a confirmation. Through <see cref="BillingService"/>.
/// </summary>
public sealed class ContratosModel(BillingService billing, BillingQueries queries, TimeProvider clock) : AdminPageModel
{
    [BindProperty(SupportsGet = true, Name = "cliente")]
    public long? Cliente { get; set; }

    [BindProperty(SupportsGet = true, Name = "editar")]
    public long? Editar { get; set; }

    [BindProperty]
    public ContratoForm Input { get; set; } = new();

    public IReadOnlyList<ContractResponse> Contracts { get; private set; } = [];

    public Dictionary<long, string> Names { get; private set; } = [];

    /// <summary>The contract whose "Encerrar" failed (its dialog opens again with the error).</summary>
    public long? EncerrarId { get; private set; }

    public string? Fim { get; private set; }

    public string Self => "/admin/faturamento/contratos" + (Cliente is { } c ? "?cliente=" + AdminHtml.Inv(c) : "");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Editar is { } id)
        {
            if (await queries.Contract(id, ct) is not { } c) return NotFound();
            Input = ContratoForm.From(c);
        }
        else
        {
            Input = new ContratoForm { Cliente = Cliente, Inicio = FaturamentoForm.Today(clock) };
        }
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Contracts = await queries.Contracts(Cliente, ct);
        Names = await queries.CustomerNames(Contracts.Select(c => c.CustomerId).Append(Input.Cliente ?? 0), ct);
    }

    private Task<IActionResult> ShowAgainAsync(CancellationToken ct) => ShowAgainAsync(() => LoadAsync(ct));

    public async Task<IActionResult> OnPostSalvarAsync(CancellationToken ct)
    {
        if (!FaturamentoForm.TryDate(Input.Inicio, out var start)) Errors["startDate"] = ["Data inválida: informe como dd/mm/aaaa."];
        if (!FaturamentoForm.TryDate(Input.Fim, out var end)) Errors["endDate"] = ["Data inválida: informe como dd/mm/aaaa."];
        if (!AdminLookups.TryMoney(Input.Valor, out var amount)) Errors["amount"] = ["Informe um valor como 10,00."];
        if (Errors.Count > 0)
        {
            Problem = "Corrija os campos indicados.";
            return await ShowAgainAsync(ct);
        }
        var body = new ContractRequest(Input.Cliente, Input.Nome, Input.Tipo, Input.Circuito, Input.Did, amount, Input.Cobranca, Input.Dia,
            Input.DiasVencimento, start, end);
        var r = Input.Id is { } id ? await billing.UpdateContract(id, body, ct) : await billing.CreateContract(body, ct);
        if (!Absorb(r)) return await ShowAgainAsync(ct);
        Flash = Input.Id is null ? $"Contrato {r.Value!.Name} criado ({AdminHtml.Inv(r.Value.Id)})." : $"Contrato {r.Value!.Name} salvo.";
        return Redirect("/admin/faturamento/contratos?cliente=" + AdminHtml.Inv(r.Value.CustomerId));
    }

    public async Task<IActionResult> OnPostEncerrarAsync(long id, string? fim, CancellationToken ct)
    {
        if (!FaturamentoForm.TryDate(fim, out var end))
        {
            Errors["endDate"] = ["Data inválida: informe como dd/mm/aaaa."];
            Problem = "Corrija os campos indicados.";
        }
        else if (Absorb(await billing.EndContract(id, end, ct)))
        {
            Flash = $"Contrato {AdminHtml.Inv(id)} encerrado em {AdminHtml.Date(end!.Value)}.";
            return Redirect(Self);
        }
        EncerrarId = id;
        Fim = fim;
        Input = new ContratoForm { Cliente = Cliente, Inicio = FaturamentoForm.Today(clock) };
        return await ShowAgainAsync(ct);
    }

    public async Task<IActionResult> OnPostExcluirAsync(long id, CancellationToken ct)
    {
        if (!Absorb(await billing.DeleteContract(id)))
        {
            Input = new ContratoForm { Cliente = Cliente, Inicio = FaturamentoForm.Today(clock) };
            return await ShowAgainAsync(ct);
        }
        Flash = $"Contrato {AdminHtml.Inv(id)} excluído.";
        return Redirect(Self);
    }

    public static string KindLabel(string kind) => kind switch
    {
        ContractKinds.Circuito => "Circuito (mensalidade + consumo)",
        ContractKinds.Did => "DID",
        _ => "Serviço",
    };

    public static string Iso(DateOnly? d) => d is { } v ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "";
}
