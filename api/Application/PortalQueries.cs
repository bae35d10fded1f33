using Billing.GrainInterfaces.Portal;
using Npgsql;

namespace Billing.Api.Application;

/// <summary>A circuit of the logged-in circuit's customer (Fatura em Aberto lists them all).</summary>
public sealed record PortalCustomerCircuit(string Account, string Name);

/// <summary>The customer's last paid invoice ("Última Fatura").</summary>
public sealed record PortalPaidInvoice(long Id, long? Number, string Account, string CircuitName, string Period, decimal Total,
    DateTimeOffset PaidAt, decimal PaidAmount, string? Method);

/// <summary>A reply as the admin lists it (with the customer's name).</summary>
public sealed record AdminReplyItem(PortalReply Reply, string? CustomerName);

/// <summary>
/// Read-only queries of the portal's customer view (issue 18, seed 001): the circuits of a customer, its last paid invoice,
/// and the "Resposta" messages (read models written by the circuit, invoice and reply grains).
/// </summary>
public sealed class PortalQueries(NpgsqlDataSource db)
{
    public const int RepliesPageSize = 50;

    /// <summary>The customer's live circuits, by number.</summary>
    public async Task<IReadOnlyList<PortalCustomerCircuit>> CustomerCircuitsAsync(long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT account, name FROM circuits WHERE customer_id = @c AND deleted_at IS NULL ORDER BY account");
        cmd.Parameters.AddWithValue("c", customerId);
        var list = new List<PortalCustomerCircuit>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new PortalCustomerCircuit(r.GetString(0), r.GetString(1)));
        return list;
    }

    /// <summary>
    /// The customer's last paid invoice: of the latest period with a paid invoice, the one paid last (voided invoices
    /// excluded); null when nothing was paid yet.
    /// </summary>
    public async Task<PortalPaidInvoice?> LastPaidAsync(long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT id, number, account, circuit_name, period, total, paid_at, paid_amount, payment_method FROM invoices
            WHERE customer_id = @c AND paid_at IS NOT NULL AND status <> 'ANULADO'
            ORDER BY period DESC, paid_at DESC, id DESC LIMIT 1
            """);
        cmd.Parameters.AddWithValue("c", customerId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new PortalPaidInvoice(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.GetDecimal(5), new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero), r.GetDecimal(7), r.IsDBNull(8) ? null : r.GetString(8));
    }

    private const string ReplyColumns = "p.id, p.account, p.customer_id, p.subject, p.body, p.created_at, p.read_at, p.read_by";

    private static PortalReply ReadReply(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero),
        r.IsDBNull(6) ? null : new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero),
        r.IsDBNull(7) ? null : r.GetString(7));

    /// <summary>The replies sent from this circuit under its current customer, newest first (the last 50).</summary>
    public async Task<IReadOnlyList<PortalReply>> CircuitRepliesAsync(string account, long customerId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {ReplyColumns} FROM portal_replies p WHERE p.account = @a AND p.customer_id = @c ORDER BY p.id DESC LIMIT {RepliesPageSize}");
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("c", customerId);
        var list = new List<PortalReply>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadReply(r));
        return list;
    }

    /// <summary>One page (50) of every circuit's replies, newest first; <paramref name="unreadOnly"/> keeps the unread ones.</summary>
    public async Task<(IReadOnlyList<AdminReplyItem> Items, long Total)> AdminRepliesAsync(bool unreadOnly, int page, CancellationToken ct)
    {
        var where = unreadOnly ? "WHERE p.read_at IS NULL" : "";
        await using var conn = await db.OpenConnectionAsync(ct);
        long total;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM portal_replies p {where}", conn))
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        await using var cmd = new NpgsqlCommand(
            $"""
             SELECT {ReplyColumns}, c.nome FROM portal_replies p LEFT JOIN customers c ON c.id = p.customer_id
             {where} ORDER BY p.id DESC LIMIT @limit OFFSET @offset
             """, conn);
        cmd.Parameters.AddWithValue("limit", RepliesPageSize);
        cmd.Parameters.AddWithValue("offset", (long)(Math.Max(1, page) - 1) * RepliesPageSize);
        var list = new List<AdminReplyItem>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(new AdminReplyItem(ReadReply(r), r.IsDBNull(8) ? null : r.GetString(8)));
        return (list, total);
    }
}
