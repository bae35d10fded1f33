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

/// <summary>
/// Outcome of a command that answers a value (the stored entity) when Ok; otherwise why not, as
/// <see cref="CommandResult"/>. The one result type of grain commands and of the API's application services.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.CommandResult`1")]
public sealed record CommandResult<T>(
    [property: Id(0)] CommandStatus Status,
    [property: Id(1)] T? Value = default,
    [property: Id(2)] string? Message = null,
    [property: Id(3)] IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public bool IsOk => Status == CommandStatus.Ok;

    public static CommandResult<T> Ok(T value) => new(CommandStatus.Ok, value);

    public static CommandResult<T> NotFound(string message) => new(CommandStatus.NotFound, default, message);

    public static CommandResult<T> Conflict(string message) => new(CommandStatus.Conflict, default, message);

    public static CommandResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(CommandStatus.Invalid, default, "Um ou mais campos têm valores inválidos.", errors);

    public static CommandResult<T> Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>The same outcome without the value (for callers that only need Ok or why not).</summary>
    public CommandResult WithoutValue() => new(Status, Message, Errors);

    /// <summary>A failure of another command passed on unchanged (its value type differs).</summary>
    public static CommandResult<T> From(CommandResult failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new(failure.Status, default, failure.Message, failure.Errors);
    }
}
