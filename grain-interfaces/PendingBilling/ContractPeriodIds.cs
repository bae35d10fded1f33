namespace Billing.GrainInterfaces.PendingBilling;

/// <summary>
/// The item id of a contract period, fixed by the contract and the month (<c>4 000000123 202607</c> = contract 123,
/// period 2026-07): the pending list shows periods that are not stored yet (a GET never writes) under the id the row
/// gets when a billing stores it, so an id read from the list stays the same between reads and is billable.
/// Ids lie above <see cref="Base"/>, far beyond the <c>billing_pending_items</c> sequence (avulsos, and periods stored
/// before these ids existed), and below 2^53, so they survive JSON numbers in JavaScript.
/// </summary>
public static class ContractPeriodIds
{
    public const long Base = 4_000_000_000_000_000;

    /// <summary>The largest contract id with a period id below 2^53.</summary>
    public const long MaxContractId = 4_999_999_999;

    private const long Months = 1_000_000;

    /// <summary>The id of period <paramref name="reference"/> (yyyy-MM) of a contract.</summary>
    public static long Of(long contractId, string reference)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contractId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contractId, MaxContractId);
        var p = Common.BillingPeriod.Parse(reference);
        return Base + contractId * Months + p.Year * 100 + p.Month;
    }

    /// <summary>The contract and period (yyyy-MM) of a period id; false for any other id.</summary>
    public static bool TryParse(long id, out long contractId, out string reference)
    {
        contractId = 0;
        reference = "";
        if (id <= Base) return false;
        var rest = id - Base;
        var contract = rest / Months;
        var yyyymm = rest % Months;
        int year = (int)(yyyymm / 100), month = (int)(yyyymm % 100);
        if (contract is <= 0 or > MaxContractId || year is < Common.BillingPeriod.MinYear or > Common.BillingPeriod.MaxYear || month is < 1 or > 12)
            return false;
        contractId = contract;
        reference = new Common.BillingPeriod(year, month).Key;
        return true;
    }
}
