using System.ComponentModel.DataAnnotations;

namespace Billing.Grains.Invoicing;

/// <summary>Invoicing options (section <c>Billing:Invoices</c>).</summary>
public sealed class InvoiceOptions
{
    /// <summary>Who issues the documents; numbers are sequential per issuer.</summary>
    [Required(AllowEmptyStrings = false), StringLength(60)]
    public string Issuer { get; set; } = "operadora";
}
