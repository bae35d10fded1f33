namespace Billing.GrainInterfaces.Rating;

/// <summary>IANA time zone names as circuits and the rating preview accept them.</summary>
public static class TimeZones
{
    /// <summary>The zone of an IANA name, or null when this machine's time zone database does not know it (Windows ids are refused).</summary>
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || Common.InputRules.HasForbiddenCharacters(id)) return null;
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return zone.HasIanaId ? zone : null;
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
        catch (InvalidTimeZoneException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static bool IsKnown(string? id) => Find(id) is not null;
}
