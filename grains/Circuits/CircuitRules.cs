using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.Grains.Numbering;

namespace Billing.Grains.Circuits;

/// <summary>Validation of circuit data (pure). Field names are the API's camelCase JSON names.</summary>
public static class CircuitRules
{
    public const decimal MaxMoney = 10_000_000m;

    public static Dictionary<string, string[]> Validate(CircuitData d)
    {
        var e = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string f, string m)
        {
            if (!e.TryGetValue(f, out var l)) e[f] = l = [];
            l.Add(m);
        }

        if (string.IsNullOrWhiteSpace(d.Name)) Add("name", "Informe o nome do circuito.");
        else if (d.Name.Length > 120) Add("name", "O nome pode ter no máximo 120 caracteres.");
        else if (InputRules.Text(d.Name, 120) is { } badName) Add("name", badName);
        if (d.CustomerId <= 0) Add("customerId", "Todo circuito precisa estar vinculado a um cliente.");
        if (!Ddds.IsValid(d.AreaCode)) Add("areaCode", "DDD inválido: informe um dos DDDs brasileiros (ex.: 11, 21, 61).");
        if (d.Central is { Length: > 80 }) Add("central", "A central pode ter no máximo 80 caracteres.");
        else if (InputRules.Text(d.Central, 80) is { } badCentral) Add("central", badCentral);
        if (d.PlanId is { Length: > 64 }) Add("planId", "Identificador de plano longo demais.");
        else if (InputRules.Text(d.PlanId, 64) is { } badPlan) Add("planId", badPlan);
        if (d.CreditLimit < 0) Add("creditLimit", "O limite de crédito não pode ser negativo.");
        else if (d.CreditLimit > MaxMoney) Add("creditLimit", "Limite de crédito grande demais.");
        else if (Money.Problem(d.CreditLimit) is { } badLimit) Add("creditLimit", badLimit);
        else if (!Money.HasAtMostTwoDecimals(d.CreditLimit)) Add("creditLimit", "Use no máximo 2 casas decimais (centavos).");
        if (!Enum.IsDefined(d.BillingMode)) Add("billingMode", "Use 'prepaid' ou 'postpaid'.");
        if (!Enum.IsDefined(d.Status)) Add("status", "Use 'ativo' ou 'bloqueado'.");
        if (Billing.Grains.Rating.RatingContext.FindZone(d.TimeZone) is null)
            Add("timeZone", "Fuso horário desconhecido: use um nome IANA, ex.: America/Sao_Paulo, America/Manaus, America/Noronha.");
        if (d.LowBalanceThresholds is { IsDefault: false } lowBalance && LowBalanceRules.Problem(lowBalance) is { } badThresholds)
            Add("lowBalanceThresholds", badThresholds);
        var inv = d.Invoice ?? new InvoiceConfig();
        if (inv.ClosingDay is < 1 or > 28) Add("invoice.closingDay", "O dia de fechamento vai de 1 a 28.");
        if (inv.DueDays is < 0 or > 90) Add("invoice.dueDays", "Os dias até o vencimento vão de 0 a 90.");
        if (inv.MonthlyFee < 0 || inv.MonthlyFee > MaxMoney) Add("invoice.monthlyFee", "Mensalidade inválida.");
        else if (!Money.HasAtMostTwoDecimals(inv.MonthlyFee)) Add("invoice.monthlyFee", "Use no máximo 2 casas decimais (centavos).");
        if (!inv.CustomFields.IsDefault)
        {
            if (inv.CustomFields.Length > 20) Add("invoice.customFields", "No máximo 20 campos personalizados.");
            for (var i = 0; i < inv.CustomFields.Length; i++)
            {
                var f = inv.CustomFields[i];
                if (string.IsNullOrWhiteSpace(f.Name) || f.Name.Length > 60)
                    Add($"invoice.customFields[{i}].name", "Informe o nome do campo (até 60 caracteres).");
                else if (InputRules.Text(f.Name, 60) is { } badField) Add($"invoice.customFields[{i}].name", badField);
                if ((f.Value ?? "").Length > 500)
                    Add($"invoice.customFields[{i}].value", "O valor pode ter no máximo 500 caracteres.");
                else if (InputRules.Text(f.Value, 500) is { } badValue) Add($"invoice.customFields[{i}].value", badValue);
            }
        }
        return e.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Flat view for the audit log diff.</summary>
    public static Dictionary<string, string?> Flatten(CircuitData d)
    {
        var inv = d.Invoice ?? new InvoiceConfig();
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var f = d.Flags ?? new WebFlags();
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["name"] = d.Name,
            ["customerId"] = d.CustomerId.ToString(ci),
            ["planId"] = d.PlanId,
            ["areaCode"] = d.AreaCode,
            ["central"] = d.Central,
            ["billingMode"] = d.BillingMode.ToString(),
            ["creditLimit"] = d.CreditLimit.ToString(ci),
            ["status"] = d.Status.ToString(),
            ["timeZone"] = d.TimeZone,
            ["lowBalanceThresholds"] = d.LowBalanceThresholds is { IsDefault: false } low ? string.Join(";", low.Select(t => t.ToString(ci))) : null,
            ["flags"] = string.Join(',', new[]
            {
                f.Acb ? "acb" : null, f.Blacklist ? "blacklist" : null, f.Faturas ? "faturas" : null,
                f.Grafico ? "grafico" : null, f.Mensagem ? "mensagem" : null, f.Perfil ? "perfil" : null,
                f.Resposta ? "resposta" : null, f.Sigame ? "sigame" : null, f.Tabela ? "tabela" : null, f.Web ? "web" : null,
            }.Where(x => x is not null)),
            ["invoice.closingDay"] = inv.ClosingDay.ToString(ci),
            ["invoice.dueDays"] = inv.DueDays.ToString(ci),
            ["invoice.monthlyFee"] = inv.MonthlyFee.ToString(ci),
            ["invoice.customFields"] = inv.CustomFields.IsDefaultOrEmpty ? "" : string.Join("; ", inv.CustomFields.Select(c => c.Name + "=" + c.Value)),
        };
    }
}
