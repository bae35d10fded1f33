using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;

namespace Billing.Grains.Ledger;

/// <summary>
/// Names the field of a ledger row the database refused (<see cref="AppendOutcome.Refused"/>), for the 400 answer of
/// the one call it belongs to. The edges check the same rules first, so this is the last line, not the first.
/// </summary>
public static class LedgerRefusal
{
    public static (string Field, string Reason) Explain(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        (string Field, string? Value, int Max)[] texts =
        [
            ("callId", entry.CallId, CallInput.MaxCallId), ("destination", entry.Destination, CallInput.MaxNumber),
            ("caller", entry.Caller, CallInput.MaxNumber), ("hangupCause", entry.HangupCause, CallInput.MaxHangupCause),
            ("description", entry.Description, 500), ("idempotencyKey", entry.IdempotencyKey, 200),
            ("did", entry.Did, CallInput.MaxDid), ("actor", entry.Actor, 200),
        ];
        foreach (var (field, value, max) in texts)
            if (InputRules.Text(value, max) is { } problem) return (field, problem + " Nada foi cobrado.");
        if (!Money.WithinCap(entry.Amount) || !Money.WithinCap(entry.BalanceAfter))
            return ("durationSeconds", "O valor da chamada ou o saldo resultante excede o limite aceito. Nada foi cobrado.");
        return ("body", "O banco de dados recusou os dados desta chamada. Nada foi cobrado.");
    }
}
