using Billing.GrainInterfaces.Circuits;

namespace Billing.Grains.Circuits;

/// <summary>SIP settings of the circuits (section <c>Billing:Sip</c>).</summary>
public sealed class SipOptions
{
    /// <summary>
    /// Digest realm the Senha SIP's HA1 is made with (<see cref="SipPassword.RealmConfigKey"/>); Kamailio's
    /// BILLING_SIP_REALM must be the same. Changing it means setting the SIP passwords again.
    /// </summary>
    public string Realm { get; set; } = SipPassword.DefaultRealm;
}
