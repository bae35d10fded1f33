using System.Collections.Immutable;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Rating;

namespace Billing.Grains.Rating;

/// <summary>Where a call is rated: the local time zone of its circuit and which days are holidays there.</summary>
public sealed record RatingContext(TimeZoneInfo Zone, Func<DateOnly, bool> IsHoliday)
{
    public const string DefaultTimeZone = "America/Sao_Paulo";

    /// <summary>São Paulo, national holidays only.</summary>
    public static RatingContext Default { get; } = new(SaoPauloTime.Zone, BrazilianHolidays.IsNational);

    /// <summary>The zone of an IANA name, or null when this machine's time zone database does not know it.</summary>
    public static TimeZoneInfo? FindZone(string? id) => id == DefaultTimeZone ? SaoPauloTime.Zone : TimeZones.Find(id);
}

/// <summary>The charge of a call rated across tariff windows, with its parts.</summary>
public sealed record WindowedRating(RatedCall Rated, ImmutableArray<RatedPart> Parts, Tariff StartTariff);

/// <summary>
/// A plan entry's tariff with its time windows, in one <see cref="RatingContext"/>. Pure and exact. A call is split at
/// every window boundary its (local) wall clock crosses, as CGRateS splits a call by timings: each part is priced by
/// its window's tariff (the entry's own outside every window), whose slots continue from the call's elapsed second
/// (a part that starts at second 100 is in the slot that covers second 100). Each stretch inside one slot is rounded
/// up to the slot's increment; an increment that runs past a boundary is billed whole by the part it started in, and
/// the next part starts after it. Free seconds, minimum and connect fee are the start's window's and apply once; the
/// total is rounded once, to centavos, half away from zero.
/// </summary>
public sealed class WindowedTariff
{
    private readonly Tariff _base;
    private readonly ImmutableArray<TariffWindow> _windows;
    private readonly RatingContext _context;

    public WindowedTariff(Tariff baseTariff, ImmutableArray<TariffWindow> windows, RatingContext context)
    {
        ArgumentNullException.ThrowIfNull(baseTariff);
        ArgumentNullException.ThrowIfNull(context);
        _base = baseTariff;
        _windows = windows.IsDefault ? [] : windows;
        _context = context;
    }

    public ImmutableArray<TariffWindow> Windows => _windows;

    /// <summary>The entry's own tariff (outside every window).</summary>
    public Tariff BaseTariff => _base;

    private const string Outside = "fora das janelas";

    /// <summary>The window in force at <paramref name="instant"/> (-1: none, the entry's tariff) and the first instant it may change.</summary>
    private (int Window, DateTimeOffset Until) At(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _context.Zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var day = _context.IsHoliday(date) ? WindowDay.Holiday : TariffWindow.Of(local.DayOfWeek);
        var minute = local.TimeOfDay.TotalMinutes;
        var found = -1;
        var next = TariffWindow.MinutesPerDay;
        for (var i = 0; i < _windows.Length; i++)
        {
            var w = _windows[i];
            if (!w.Days.Contains(day)) continue;
            if (w.FromMinute <= minute && minute < w.ToMinute)
            {
                found = i;
                next = Math.Min(next, w.ToMinute);
            }
            else if (w.FromMinute > minute)
            {
                next = Math.Min(next, w.FromMinute);
            }
        }
        var until = ToInstant(local.DateTime.Date.AddMinutes(next));
        if (until <= instant) until = instant.AddSeconds(1); // a daylight-saving jump: move on
        return (found, until);
    }

    private DateTimeOffset ToInstant(DateTime local)
    {
        var wall = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var zone = _context.Zone;
        // a wall time skipped by a daylight-saving jump starts when the clock lands after it
        for (var guard = 0; zone.IsInvalidTime(wall) && guard < 4 * 60; guard++) wall = wall.AddMinutes(15);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    private Tariff TariffOf(int window) => window < 0 ? _base : _windows[window].Tariff;

    private string LabelOf(int window) => window < 0 ? Outside : _windows[window].Label;

    /// <summary>The tariff in force at <paramref name="instant"/> (the window's, or the entry's own).</summary>
    public Tariff TariffAt(DateTimeOffset instant) => TariffOf(At(instant).Window);

    /// <summary>Cost only (the hot path's question).</summary>
    public RatedCall Rate(DateTimeOffset start, int durationSeconds) => Detail(start, durationSeconds).Rated;

    /// <summary>Cost and parts of a call of <paramref name="durationSeconds"/> answered at <paramref name="start"/>.</summary>
    public WindowedRating Detail(DateTimeOffset start, int durationSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(durationSeconds);
        var (window, until) = At(start);
        var first = TariffOf(window);
        if (durationSeconds <= first.FreeSeconds)
            return new WindowedRating(RatedCall.Zero,
                [new RatedPart(window < 0 ? null : window, LabelOf(window), Local(start), 0, 0, 0m)], first);

        long effective = Math.Max(durationSeconds, first.MinimumSeconds);
        var amount = first.ConnectFee;
        var parts = ImmutableArray.CreateBuilder<RatedPart>();
        long p = 0;
        long boundary = ElapsedOf(start, until);
        long partFrom = 0;
        long partBilled = 0;
        var partCost = 0m;
        while (p < effective)
        {
            if (p >= boundary)
            {
                var (next, nextUntil) = At(start.AddSeconds(p));
                if (next != window)
                {
                    parts.Add(new RatedPart(window < 0 ? null : window, LabelOf(window), Local(start.AddSeconds(partFrom)), (int)partFrom, (int)partBilled, partCost));
                    (partFrom, partBilled, partCost) = (p, 0, 0m);
                    window = next;
                }
                boundary = ElapsedOf(start, nextUntil);
                continue;
            }
            var slots = TariffOf(window).Slots;
            var s = 0;
            while (s + 1 < slots.Length && slots[s + 1].FromSecond <= p) s++;
            var slot = slots[s];
            long slotEnd = s + 1 < slots.Length ? slots[s + 1].FromSecond : long.MaxValue;
            var end = Math.Min(effective, Math.Min(boundary, slotEnd));
            long inc = Math.Max(1, slot.IncrementSeconds);
            var billed = (end - p + inc - 1) / inc * inc;
            var cost = billed * slot.PricePerMinute / 60m;
            amount += cost;
            partCost += cost;
            partBilled += billed;
            p += billed;
        }
        parts.Add(new RatedPart(window < 0 ? null : window, LabelOf(window), Local(start.AddSeconds(partFrom)), (int)partFrom, (int)partBilled, partCost));
        return new WindowedRating(new RatedCall(checked((int)p), Money.Round(amount)), parts.ToImmutable(), first);
    }

    private DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, _context.Zone);

    /// <summary>The first whole elapsed second at or after <paramref name="instant"/>.</summary>
    private static long ElapsedOf(DateTimeOffset start, DateTimeOffset instant) =>
        Math.Max(1, (long)Math.Ceiling((instant - start).TotalSeconds));

    /// <summary>
    /// The longest duration (at most <paramref name="capSeconds"/>) of a call answered at <paramref name="start"/> whose
    /// cost does not exceed <paramref name="budget"/> (cost never decreases as the duration grows).
    /// </summary>
    public int MaxSecondsWithin(DateTimeOffset start, decimal budget, int capSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capSeconds);
        if (budget < 0) return 0;
        if (Rate(start, capSeconds).Cost <= budget) return capSeconds;
        int lo = 0, hi = capSeconds;
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (Rate(start, mid).Cost <= budget) lo = mid;
            else hi = mid;
        }
        return lo;
    }
}
