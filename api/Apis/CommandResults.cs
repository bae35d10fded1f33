using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Apis;

/// <summary>Maps a grain's <see cref="CommandResult"/> to ProblemDetails.</summary>
public static class CommandResults
{
    public static IResult ToProblem(CommandResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.Status switch
        {
            CommandStatus.Invalid => Problems.Validation(r.Errors is null ? new Dictionary<string, string[]>() : r.Errors.ToDictionary(), r.Message),
            CommandStatus.NotFound => Problems.NotFound(r.Message ?? "Não encontrado."),
            CommandStatus.Conflict => Problems.Conflict(r.Message ?? "Conflito."),
            _ => TypedResults.NoContent(),
        };
    }

    public static string Actor(HttpContext http) =>
        http?.User.Identity?.Name is { Length: > 0 } name ? name : "desconhecido";
}
