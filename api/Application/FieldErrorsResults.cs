using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Application;

/// <summary>Field errors of the API's validation as a command result.</summary>
internal static class FieldErrorsResults
{
    public static CommandResult<T> Invalid<T>(this FieldErrors errors) =>
        CommandResult<T>.Invalid(new Dictionary<string, string[]>(errors.ToDictionary(), StringComparer.Ordinal));
}
