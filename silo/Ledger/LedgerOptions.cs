using System.ComponentModel.DataAnnotations;

namespace Billing.Silo.Ledger;

/// <summary>Ledger writer settings (section <c>Billing:Ledger</c>).</summary>
public sealed class LedgerOptions
{
    /// <summary>
    /// Group-commit loops writing in parallel: more loops overlap more commits (lower latency per call, more,
    /// smaller transactions). On 2 cores 2, 4 and 8 measured within the noise with COPY (README, benchmarks).
    /// </summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 4;

    /// <summary>
    /// Write batches with binary COPY (no per-row conflict arbitration; a batch a unique index refuses falls back
    /// to INSERT … ON CONFLICT, which sorts written rows from duplicates). False: always INSERT … ON CONFLICT.
    /// </summary>
    public bool Copy { get; set; } = true;

    /// <summary>Group-commit loops appending credit holds (authorize and extend wait for them).</summary>
    [Range(1, 64)]
    public int HoldWriters { get; set; } = 2;

    /// <summary>How often each silo deletes the hold versions that expired (a hold is never deleted per call).</summary>
    [Range(1, 3600)]
    public int HoldPurgeSeconds { get; set; } = 60;

    /// <summary>
    /// True (default): a hold's commit waits for the WAL flush like a ledger row's, so it survives anything the
    /// ledger survives. False: the commit does not wait (PostgreSQL <c>synchronous_commit = off</c> for hold writes
    /// only): holds still survive a silo's kill -9 (PostgreSQL has them), but a PostgreSQL crash can lose the last
    /// ~0.6 s of them; if the silos restart too, those calls' credit could be granted again. Ledger rows are never
    /// affected.
    /// </summary>
    public bool HoldsSynchronousCommit { get; set; } = true;
}
