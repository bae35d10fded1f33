namespace Billing.GrainInterfaces.Common;

/// <summary>
/// The operator's local time, America/Sao_Paulo: the one zone lookup behind every date the system shows, parses,
/// or buckets by day/month (billing periods, statements, portal charts, admin screens).
/// </summary>
public static class SaoPauloTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    /// <summary><paramref name="at"/> on the São Paulo wall clock.</summary>
    public static DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>Today's date in São Paulo by <paramref name="clock"/>.</summary>
    public static DateOnly Today(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return DateOnly.FromDateTime(Local(clock.GetUtcNow()).DateTime);
    }
}
