using Billing.GrainInterfaces.Rating;
using System.Globalization;

namespace Billing.Api.Web;

/// <summary>pt-BR formatting for the portal pages (the edge: money and dates are formatted only here).</summary>
public static class PortalFormat
{
    public static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>"R$ 1.234,56", negatives "-R$ 1,00": <see cref="GrainInterfaces.Common.Money.Format"/>.</summary>
    public static string Money(decimal value) => GrainInterfaces.Common.Money.Format(value);

    public static string Price(decimal value) => "R$ " + value.ToString("#,##0.00####", PtBr);

    public static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    /// <summary>The day of a moment in São Paulo, dd/MM/yyyy.</summary>
    public static string Day(DateTimeOffset at) => PortalData.ToSaoPaulo(at).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset at) =>
        PortalData.ToSaoPaulo(at).ToString("dd/MM/yyyy HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Duration(int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}");

    public static string Int(long n) => n.ToString("#,##0", PtBr);

    public static string CallType(string? type) => CallTypes.ShortLabel(type);

    /// <summary>The wire name of a call type (<c>local_fixo</c>…), as in the ledger.</summary>
    public static string CallTypeWire(Billing.GrainInterfaces.Rating.CallType type) => CallTypes.Wire(type);

    public static string Status(string status) => status switch
    {
        "ABERTO" => "Aberta",
        "FECHADO" => "Fechada",
        "ANULADO" => "Anulada",
        _ => status,
    };
}
