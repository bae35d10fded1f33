using System.ComponentModel.DataAnnotations;

namespace Billing.Api.Web;

/// <summary>Section <c>Billing:Sessions</c>.</summary>
public sealed class WebSessionOptions
{
    /// <summary>
    /// How long a host trusts the session stamp it last read (seconds; 0 = read it on every request). A password
    /// change, a circuit's <c>web</c> flag turned off or a disabled admin ends the sessions of other hosts at most this late;
    /// changes made through this host end them at once.
    /// </summary>
    [Range(0, 3600)]
    public int RecheckSeconds { get; set; } = 15;
}
