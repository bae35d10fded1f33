using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Pages.Admin.Faturamento;

/// <summary>Small helpers shared by the pending-billing pages.</summary>
public static class FaturamentoForm
{
    public static string Today(TimeProvider clock) => SaoPauloTime.Today(clock).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>What the form accepts for a date: what it asks for (dd/mm/aaaa, also d/m/aaaa) and what a date input sends (aaaa-mm-dd).</summary>
    private static readonly string[] DateFormats = ["dd/MM/yyyy", "d/M/yyyy", "yyyy-MM-dd"];

    /// <summary>A typed date as dd/mm/aaaa or aaaa-mm-dd; null when empty; false when it is neither (or no such day).</summary>
    public static bool TryDate(string? text, out DateOnly? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateOnly.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        value = d;
        return true;
    }

    /// <summary>The filter part of a pending-list URL (por, data, tipo, clientes).</summary>
    public static string Filter(string? por, string? data, string? tipo, string? clientes)
    {
        var q = new QueryBuilder();
        if (!string.IsNullOrWhiteSpace(por)) q.Add("por", por);
        if (!string.IsNullOrWhiteSpace(data)) q.Add("data", data);
        if (!string.IsNullOrWhiteSpace(tipo)) q.Add("tipo", tipo);
        if (!string.IsNullOrWhiteSpace(clientes)) q.Add("clientes", clientes);
        return q.ToQueryString().Value ?? "";
    }

    public static string Source(string source) => source switch
    {
        "contract" or "contrato" => "Contrato",
        "avulso" => "Avulso",
        _ => source,
    };
}
