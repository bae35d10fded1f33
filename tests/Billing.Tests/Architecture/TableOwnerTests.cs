using System.Text.RegularExpressions;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Architecture;

/// <summary>
/// One owner per table, checked in the cluster's code too: the statements that write a table appear only in the
/// source files of its owner (its grain, or a store class used only by it).
/// </summary>
public sealed class TableOwnerTests
{
    /// <summary>table → the files (under grains/) allowed to write it.</summary>
    public static TheoryData<string, string[]> Owners => new()
    {
        { "dids", ["grains/Dids/DidInventoryGrain.cs"] },
        { "did_assignments", ["grains/Dids/DidInventoryGrain.cs"] },
        { "billing_pending_items", ["grains/PendingBilling/ChargesWriter.cs", "grains/PendingBilling/BillingRunWriter.cs", "grains/PendingBilling/PendingStore.cs"] },
        { "reseller_statements", ["grains/Resellers/ResellerStatementsGrain.cs"] },
        { "reseller_statement_closings", ["grains/Resellers/ResellerStatementsGrain.cs"] },
        { "credit_notes", ["grains/Invoicing/CreditNoteStore.cs"] },
        { "credit_note_counters", ["grains/Invoicing/CreditNoteStore.cs"] },
        { "credit_note_applications", ["grains/Invoicing/InvoiceStore.cs"] },
        { "circuit_balance_alerts", ["grains/Circuits/CircuitGrain.LowBalance.cs"] },
    };

    [Theory]
    [MemberData(nameof(Owners))]
    public void WhenTheClusterCodeIsScanned_ThenOnlyTheOwnerWritesTheTable(string table, string[] owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var writes = new Regex($@"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|MERGE\s+INTO|TRUNCATE)\s+{table}\b",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        var writers = new List<string>();
        foreach (var project in new[] { "grains", "silo", "api" })
            foreach (var file in RepoRoot.SourceFiles(project))
                if (ArchitectureTests.StringLiterals(File.ReadAllText(file)).Any(l => writes.IsMatch(l.Text)))
                    writers.Add(Path.GetRelativePath(RepoRoot.Path, file).Replace('\\', '/'));
        Assert.NotEmpty(writers); // the detector sees the owner's own statements
        Assert.True(writers.All(owners.Contains), $"{table} é escrita fora do dono ({string.Join(", ", owners)}): {string.Join(", ", writers)}");
    }
}
