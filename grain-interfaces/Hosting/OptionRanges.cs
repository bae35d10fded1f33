using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.GrainInterfaces.Hosting;

/// <summary>
/// Validation of an options class bound from a configuration section: its data annotations (<see cref="RangeAttribute"/>…)
/// checked by <see cref="IValidateOptions{TOptions}"/>, each failure naming the full setting (<c>Billing:Calls:RouteShards</c>),
/// so a host started with a bad value stops at once (with <c>ValidateOnStart</c>) and says which setting to fix.
/// </summary>
public static class OptionRanges
{
    /// <summary>
    /// <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>, validated by its data annotations at start
    /// (<c>ValidateOnStart</c>).
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section) where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>The problems of <paramref name="options"/>, each as "<c>section:Member</c>: message".</summary>
    public static IReadOnlyList<string> Problems(object options, string section)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}").ToList();
    }

    private sealed class Validator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = Problems(options, section);
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
