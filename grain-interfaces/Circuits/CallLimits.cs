using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// The call limits the API host and the silos must agree on, defined once (section <see cref="Section"/>): the API
/// validates and routes with them, the silos' circuit and route grains enforce them (<c>CallOptions</c> extends this
/// class, so both read the same keys and defaults). Out-of-range values stop either host at start, naming the setting.
/// </summary>
public class CallLimits
{
    public const string Section = "Billing:Calls";

    /// <summary>A call longer than this is refused as absurd (24 h); also the API's rating preview limit.</summary>
    [Range(60, 7 * 86_400, ErrorMessage = "a duração máxima de chamada vai de {1} a {2} segundos.")]
    public int MaxDurationSeconds { get; set; } = 86_400;

    /// <summary>
    /// Number of call-route shard grains (<see cref="CallRoutes.ConfigKey"/>). Changing it strands the routes of calls in
    /// progress (their completes then need <c>account</c>).
    /// </summary>
    [Range(1, 4096, ErrorMessage = "o número de shards de rota vai de {1} a {2}.")]
    public int RouteShards { get; set; } = CallRoutes.DefaultShards;

    /// <summary>"OK (n ms)" while the last registration report is younger than this.</summary>
    [Range(10, 86_400, ErrorMessage = "a validade do registro SIP vai de {1} a {2} segundos.")]
    public int RegistrationTtlSeconds { get; set; } = 180;

    /// <summary>The limits as configured (defaults for what is not set); for wiring that runs before the container.</summary>
    public static CallLimits From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(Section).Get<CallLimits>() ?? new CallLimits();
    }
}
