namespace Billing.GrainInterfaces.Common;

public enum CommandStatus
{
    Ok,
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>Outcome of a grain command: Ok, or why not (field errors in pt-BR keyed by camelCase field, or a reason).</summary>
[GenerateSerializer, Immutable, Alias("Billing.CommandResult")]
public sealed record CommandResult(
    [property: Id(0)] CommandStatus Status,
    [property: Id(1)] string? Message = null,
    [property: Id(2)] IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static CommandResult Ok { get; } = new(CommandStatus.Ok);

    public bool IsOk => Status == CommandStatus.Ok;

    public static CommandResult NotFound(string message) => new(CommandStatus.NotFound, message);

    public static CommandResult Conflict(string message) => new(CommandStatus.Conflict, message);

    public static CommandResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(CommandStatus.Invalid, "Um ou mais campos têm valores inválidos.", errors);

    public static CommandResult Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}
