namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// Kind of a call in the Brazilian numbering plan. The REST API writes these in snake_case
/// (<c>local_fixo</c>, <c>a_cobrar</c>, …).
/// </summary>
[GenerateSerializer, Alias("Billing.CallType")]
public enum CallType
{
    /// <summary>Fixed line in the circuit's own DDD.</summary>
    LocalFixo,
    /// <summary>Mobile in the circuit's own DDD (VC1).</summary>
    LocalMovel,
    /// <summary>Fixed line in another DDD.</summary>
    LdnFixo,
    /// <summary>Mobile in another DDD (VC2 or VC3).</summary>
    LdnMovel,
    /// <summary>International.</summary>
    Ldi,
    /// <summary>0800: free for the caller.</summary>
    Gratuito,
    /// <summary>0300 / 0303 / 0500 and 4003/4004-style "número único" services.</summary>
    NaoGeografico,
    /// <summary>0900 premium-rate services.</summary>
    Especial,
    /// <summary>1xx short codes (190, 192, 193, …): free, never blocked by balance.</summary>
    Emergencia,
    /// <summary>Collect call (90 + CSP + …).</summary>
    ACobrar,
}

/// <summary>Relation of a mobile destination to the caller's DDD (VC1 same DDD, VC2 same first digit, VC3 otherwise).</summary>
[GenerateSerializer, Alias("Billing.MobileArea")]
public enum MobileArea
{
    None,
    Vc1,
    Vc2,
    Vc3,
}
