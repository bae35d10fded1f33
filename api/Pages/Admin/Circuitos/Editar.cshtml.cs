using System.Globalization;
using Billing.Api.Application;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api.Pages.Admin.Circuitos;

/// <summary>What the circuit form posts; numbers as text so that "1.234,56" and "1234.56" both work.</summary>
public sealed class CircuitForm
{
    public string? Account { get; set; }
    public string? Name { get; set; }
    public long? CustomerId { get; set; }
    public string? PlanId { get; set; }
    public string? AreaCode { get; set; }
    public string? Central { get; set; }
    public BillingMode BillingMode { get; set; } = BillingMode.Prepaid;
    public string? CreditLimit { get; set; }
    public CircuitStatus Status { get; set; } = CircuitStatus.Ativo;
    public string? WebPassword { get; set; }
    public string? SipPassword { get; set; }
    public WebFlagsForm Flags { get; set; } = WebFlagsForm.From(new WebFlags());
    public int? ClosingDay { get; set; } = 1;
    public int? DueDays { get; set; } = 10;
    public string? MonthlyFee { get; set; }

    /// <summary>"Nome: valor", one per line.</summary>
    public string? CustomFields { get; set; }

    /// <summary>Low-balance alert thresholds in reais separated by ";" ("10,00; 0"); blank keeps the circuit's (or the default).</summary>
    public string? LowBalanceThresholds { get; set; }

    public CircuitRequest? ToRequest(Dictionary<string, string[]> errors)
    {
        if (!AdminLookups.TryMoney(CreditLimit, out var limit)) errors["creditLimit"] = ["Informe um valor como 100,00."];
        if (!AdminLookups.TryMoney(MonthlyFee, out var fee)) errors["invoice.monthlyFee"] = ["Informe um valor como 49,90."];
        var fields = new List<InvoiceCustomField>();
        foreach (var line in (CustomFields ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = line.IndexOf(':', StringComparison.Ordinal);
            if (at <= 0) errors["invoice.customFields"] = ["Use uma linha por campo no formato Nome: valor."];
            else fields.Add(new InvoiceCustomField(line[..at].Trim(), line[(at + 1)..].Trim()));
        }
        List<decimal>? thresholds = null;
        if (!string.IsNullOrWhiteSpace(LowBalanceThresholds))
        {
            thresholds = [];
            foreach (var part in LowBalanceThresholds.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (AdminLookups.TryMoney(part, out var t) && t is { } value) thresholds.Add(value);
                else errors["lowBalanceThresholds"] = ["Informe valores em reais separados por ponto e vírgula, como 10,00; 0."];
            }
        }
        if (errors.Count > 0) return null;
        return new CircuitRequest(Account?.Trim(), Name ?? "", CustomerId ?? 0, PlanId ?? "", AreaCode ?? "", Central ?? "", BillingMode,
            limit ?? 0m, Status, Flags.ToFlags(), new InvoiceConfigRequest(ClosingDay ?? 0, DueDays ?? -1, fee ?? 0m, fields),
            string.IsNullOrEmpty(WebPassword) ? null : WebPassword, string.IsNullOrEmpty(SipPassword) ? null : SipPassword,
            LowBalanceThresholds: thresholds);
    }

    public static CircuitForm From(CircuitResponse c) => new()
    {
        Account = c.Account, Name = c.Name, CustomerId = c.CustomerId, PlanId = c.PlanId, AreaCode = c.AreaCode, Central = c.Central,
        BillingMode = c.BillingMode, CreditLimit = AdminHtml.Money(c.CreditLimit), Status = c.Status, Flags = WebFlagsForm.From(c.Flags),
        ClosingDay = c.Invoice.ClosingDay, DueDays = c.Invoice.DueDays, MonthlyFee = AdminHtml.Money(c.Invoice.MonthlyFee ?? 0m),
        CustomFields = string.Join("\n", (c.Invoice.CustomFields ?? []).Select(f => f.Name + ": " + f.Value)),
        LowBalanceThresholds = c.LowBalanceThresholds is { } low ? string.Join("; ", low.Select(AdminHtml.Money)) : null,
    };
}

/// <summary>Gestão Web flags as checkboxes.</summary>
public sealed class WebFlagsForm
{
    public bool Web { get; set; }
    public bool Faturas { get; set; }
    public bool Grafico { get; set; }
    public bool Blacklist { get; set; }
    public bool Sigame { get; set; }
    public bool Acb { get; set; }
    public bool Tabela { get; set; }
    public bool Perfil { get; set; }
    public bool Mensagem { get; set; }
    public bool Resposta { get; set; }

    public static readonly IReadOnlyList<(string Name, string Label)> All =
    [
        ("Web", "Acesso ao portal (web)"), ("Faturas", "Faturas"), ("Grafico", "Gráfico"), ("Blacklist", "Blacklist"),
        ("Sigame", "Siga-me"), ("Acb", "Chamadas ACB"), ("Tabela", "Tabela de tarifas"), ("Perfil", "Perfil"),
        ("Mensagem", "Mensagem"), ("Resposta", "Resposta"),
    ];

    public bool Get(string name) => name switch
    {
        "Web" => Web, "Faturas" => Faturas, "Grafico" => Grafico, "Blacklist" => Blacklist, "Sigame" => Sigame, "Acb" => Acb,
        "Tabela" => Tabela, "Perfil" => Perfil, "Mensagem" => Mensagem, _ => Resposta,
    };

    public WebFlags ToFlags() => new()
    {
        Web = Web, Faturas = Faturas, Grafico = Grafico, Blacklist = Blacklist, Sigame = Sigame, Acb = Acb, Tabela = Tabela,
        Perfil = Perfil, Mensagem = Mensagem, Resposta = Resposta,
    };

    public static WebFlagsForm From(WebFlags f) => new()
    {
        Web = f.Web, Faturas = f.Faturas, Grafico = f.Grafico, Blacklist = f.Blacklist, Sigame = f.Sigame, Acb = f.Acb, Tabela = f.Tabela,
        Perfil = f.Perfil, Mensagem = f.Mensagem, Resposta = f.Resposta,
    };
}

/// <summary>Créditos: a top-up (positive) or adjustment (negative), its description, and the idempotency key generated with the form.</summary>
public sealed class CreditForm
{
    public string? Valor { get; set; }
    public string? Descricao { get; set; }
    public string? Chave { get; set; }
}

/// <summary>
/// Create/edit a circuit (Gestão Web flags, Configurar Fatura, Senha Web, Senha SIP), move it to another customer, its Créditos
/// (with history), DIDs and Excluir: the commands of /api/circuits through <see cref="CircuitService"/>, and its queries.
/// </summary>
public sealed class EditarModel(LookupQueries lookups, CircuitService circuits, CircuitQueries queries,
    CircuitCallQueries ledger) : AdminPageModel
{
    /// <summary>Credits shown on the page (newest first).</summary>
    public const int CreditsShown = 50;

    [BindProperty]
    public CreditForm Credito { get; set; } = new();

    public PagedResult<CreditHistoryItem>? Credits { get; private set; }

    public IReadOnlyList<CircuitDid> Dids { get; private set; } = [];

    /// <summary>The credit dialog opens again when the credit came back with errors.</summary>
    public bool CreditFailed { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string Account { get; set; } = "novo";

    [BindProperty]
    public CircuitForm Input { get; set; } = new();

    [BindProperty]
    public long? NovoCliente { get; set; }

    public CircuitResponse? Circuit { get; private set; }

    public IReadOnlyList<(string Id, string Name)> Plans { get; private set; } = [];

    public Dictionary<long, string> CustomerNames { get; private set; } = [];

    public bool IsNew => Account == "novo";

    public async Task<IActionResult> OnGetAsync(long? cliente, CancellationToken ct)
    {
        if (IsNew)
        {
            Input.CustomerId = cliente;
            await LookupsAsync(ct);
            return Page();
        }
        if (!await LoadAsync(ct)) return NotFound();
        Input = CircuitForm.From(Circuit!);
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        await LookupsAsync(ct);
        if (IsNew) return true;
        Circuit = (await circuits.Find(Account)).Value;
        if (Circuit is null) return false;
        CustomerNames = await lookups.CustomerNamesAsync([Circuit.CustomerId], ct);
        Credits = await ledger.Credits(Account, 1, CreditsShown, ct);
        Dids = await queries.Dids(Account, ct);
        // a fresh key per rendered form: submitting this form twice credits once
        if (string.IsNullOrEmpty(Credito.Chave)) Credito.Chave = Guid.NewGuid().ToString("N");
        return true;
    }

    private async Task LookupsAsync(CancellationToken ct) => Plans = await lookups.PlansAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var body = Input.ToRequest(Errors);
        if (body is null)
        {
            Problem = "Corrija os campos indicados.";
            return await LoadAsync(ct) ? Page() : NotFound();
        }
        var r = IsNew
            ? await circuits.Create(body, CommandResults.Actor(HttpContext))
            : await circuits.Update(Account, body with { Account = null }, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            Input.WebPassword = null;
            Input.SipPassword = null;
            return await LoadAsync(ct) ? Page() : NotFound();
        }
        var saved = r.Value!;
        Flash = IsNew ? $"Circuito {saved.Account} criado." : "Circuito salvo.";
        return Redirect("/admin/circuitos/" + saved.Account);
    }

    public async Task<IActionResult> OnPostMoverAsync(CancellationToken ct)
    {
        if (IsNew) return NotFound();
        var r = await circuits.Move(Account, NovoCliente, CommandResults.Actor(HttpContext));
        if (!Absorb(r))
        {
            if (!await LoadAsync(ct)) return NotFound();
            Input = CircuitForm.From(Circuit!);
            return Page();
        }
        Flash = "Circuito movido para o cliente " + NovoCliente!.Value.ToString(CultureInfo.InvariantCulture)
            + ": as faturas já emitidas ficam com o cliente anterior; as próximas consolidam no novo.";
        return Redirect("/admin/circuitos/" + Account);
    }

    /// <summary>Créditos: validated by <see cref="CircuitService.Credit"/>; a repeated key (double submit) credits once.</summary>
    public async Task<IActionResult> OnPostCreditoAsync(CancellationToken ct)
    {
        if (IsNew) return NotFound();
        decimal? amount = null;
        if (!AdminLookups.TryMoney(Credito.Valor, out amount)) Errors["amount"] = ["Informe um valor como 100,00 ou -15,50."];
        if (Errors.Count == 0)
        {
            var r = await circuits.Credit(Account, amount, Credito.Descricao, Credito.Chave, CommandResults.Actor(HttpContext));
            if (Absorb(r))
            {
                var c = r.Value!;
                Flash = c.Duplicate
                    ? $"Este lançamento já tinha sido feito (mesma chave): nada foi lançado de novo. Saldo: {AdminHtml.Brl(c.Balance)}."
                    : $"{(c.Amount > 0 ? "Crédito" : "Débito")} de {AdminHtml.Brl(Math.Abs(c.Amount))} lançado. Saldo: {AdminHtml.Brl(c.Balance)}.";
                return Redirect("/admin/circuitos/" + Account + "#creditos");
            }
        }
        else
        {
            Problem = "Corrija os campos indicados.";
        }
        CreditFailed = true;
        if (!await LoadAsync(ct)) return NotFound();
        Input = CircuitForm.From(Circuit!);
        return Page();
    }

    /// <summary>Excluir (after the confirmation dialog): refused while calls are in progress or invoices are not closed.</summary>
    public async Task<IActionResult> OnPostExcluirAsync(CancellationToken ct)
    {
        if (IsNew) return NotFound();
        var r = await circuits.Delete(Account, CommandResults.Actor(HttpContext));
        if (Absorb(r))
        {
            Flash = $"Circuito {Account} excluído (o histórico de ligações, créditos e faturas foi mantido).";
            return Redirect("/admin/circuitos");
        }
        if (!await LoadAsync(ct)) return NotFound();
        Input = CircuitForm.From(Circuit!);
        return Page();
    }
}
