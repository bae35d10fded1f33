using Billing.GrainInterfaces.Rating;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Invoicing;

namespace Billing.Grains.Invoicing;

/// <summary>
/// Invoice maths, pure (no Orleans, no I/O): from the calls an invoice covers and the monthly fee, the
/// summary by call type (count, billed minutes, amount), calls made and received, and the totals.
/// Every call's charge is already rounded to centavos by the rater; totals are exact sums of those
/// charges, so every document adds up to the cent. Nothing is rounded again here except minutes.
/// </summary>
public static class InvoiceCalculator
{
    public static InvoiceContent Compute(IEnumerable<InvoiceCall> calls, decimal monthlyFee, string period, IReadOnlyList<InvoiceDidFee>? dids = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        dids ??= [];
        var list = calls as IReadOnlyCollection<InvoiceCall> ?? calls.ToList();
        foreach (var c in list)
            if (!Money.HasAtMostTwoDecimals(c.Amount))
                throw new ArgumentException($"A chamada {c.CallId} tem valor com mais de 2 casas ({c.Amount}).", nameof(calls));

        var byType = list
            .GroupBy(c => c.CallType, StringComparer.Ordinal)
            .Select(g =>
            {
                var seconds = g.Sum(c => (long)c.BilledSeconds);
                return new InvoiceTypeSummary(g.Key, CallTypes.Label(g.Key), g.Count(), seconds, Minutes(seconds), g.Sum(c => c.Amount));
            })
            .OrderBy(t => CallTypes.Order(t.CallType))
            .ThenBy(t => t.CallType, StringComparer.Ordinal)
            .ToList();
        var made = Direction(list.Where(c => c.Direction != "inbound"));
        var received = Direction(list.Where(c => c.Direction == "inbound"));
        var callsTotal = list.Sum(c => c.Amount);
        var late = list.Where(c => string.CompareOrdinal(c.Period, period) < 0).ToList();
        return new InvoiceContent
        {
            ByType = byType,
            Made = made,
            Received = received,
            CallsCount = list.Count,
            CallsTotal = callsTotal,
            MonthlyFee = monthlyFee,
            DidFees = dids,
            DidFeesTotal = dids.Sum(d => d.MonthlyFee),
            Total = monthlyFee + dids.Sum(d => d.MonthlyFee) + callsTotal,
            LateCalls = late.Count,
            LateTotal = late.Sum(c => c.Amount),
        };
    }

    /// <summary>
    /// Deducts the postpaid credit notes still available (in the order given, oldest first) from the invoice: each one
    /// becomes a line, the total is reduced but never below zero; what a note does not fit stays available for the next
    /// invoice (carry-over). Notes with nothing left are skipped.
    /// </summary>
    public static InvoiceContent ApplyCredits(InvoiceContent content, IEnumerable<AvailableCredit> available)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(available);
        var room = Math.Max(0m, content.Total);
        var lines = new List<InvoiceCreditLine>();
        foreach (var c in available)
        {
            if (room <= 0) break;
            if (c.Remaining <= 0) continue;
            var take = Math.Min(room, c.Remaining);
            lines.Add(new InvoiceCreditLine(c.CreditNoteId, c.DocumentNumber, c.FromInvoiceId, take));
            room -= take;
        }
        var total = lines.Sum(l => l.Amount);
        return content with { Credits = lines, CreditsTotal = total, Total = content.Total - total };
    }

    /// <summary>Billed seconds as minutes with 2 decimals (display only; money never depends on it).</summary>
    public static decimal Minutes(long seconds) => decimal.Round(seconds / 60m, 2, MidpointRounding.AwayFromZero);

    private static InvoiceDirectionSummary Direction(IEnumerable<InvoiceCall> calls)
    {
        int count = 0;
        long seconds = 0;
        decimal amount = 0m;
        foreach (var c in calls)
        {
            count++;
            seconds += c.BilledSeconds;
            amount += c.Amount;
        }
        return new InvoiceDirectionSummary(count, seconds, amount);
    }
}

/// <summary>A postpaid credit note and how much of it no other live invoice has deducted yet.</summary>
public sealed record AvailableCredit(long CreditNoteId, string DocumentNumber, long FromInvoiceId, decimal Remaining);

/// <summary>A customer's consolidated invoice for one period: its circuits' invoices and their total.</summary>
public sealed record ConsolidatedPeriod(string Period, IReadOnlyList<InvoiceView> Invoices, decimal Total);

public static class Consolidation
{
    /// <summary>Groups the customer's circuit invoices by period (newest first); voided invoices do not count in the total.</summary>
    public static IReadOnlyList<ConsolidatedPeriod> ByPeriod(IEnumerable<InvoiceView> invoices)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        return invoices
            .GroupBy(i => i.Period, StringComparer.Ordinal)
            .OrderByDescending(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ConsolidatedPeriod(g.Key,
                g.OrderBy(i => i.Account, StringComparer.Ordinal).ToList(),
                g.Where(i => i.Status != InvoiceStatus.Anulado).Sum(i => i.Content.Total)))
            .ToList();
    }
}
