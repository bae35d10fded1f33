using System.Globalization;
using System.Security.Cryptography;
using Billing.GrainInterfaces.PendingBilling;
using Npgsql;

namespace Billing.Grains.PendingBilling;

/// <summary>
/// The rows of <c>billing_attachments</c> (owned by <see cref="PendingBillingGrain"/>): a file stored with its SHA-256 and
/// a history line, inside the caller's transaction — at billing time ("Arquivos" of the finalization form) or later.
/// </summary>
internal static class BillingAttachments
{
    public static async Task<(long Id, string Sha256)> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long billingId, UploadedFile file,
        DateTimeOffset now, string actor)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(file.Content));
        long id;
        await using (var ins = new NpgsqlCommand(
            """
            INSERT INTO billing_attachments (billing_id, file_name, content_type, size_bytes, sha256, content, created_at, created_by)
            VALUES (@b, @n, @t, @s, @h, @c, @now, @actor) RETURNING id;
            INSERT INTO billing_history (billing_id, at, actor, action, detail) VALUES (@b, @now, @actor, 'anexo', @detail);
            """, conn, tx))
        {
            ins.Parameters.AddWithValue("b", billingId);
            ins.Parameters.AddWithValue("n", file.Name);
            ins.Parameters.AddWithValue("t", file.ContentType);
            ins.Parameters.AddWithValue("s", file.Content.Length);
            ins.Parameters.AddWithValue("h", sha);
            ins.Parameters.AddWithValue("c", file.Content);
            ins.Parameters.AddWithValue("now", now.UtcDateTime);
            ins.Parameters.AddWithValue("actor", actor);
            ins.Parameters.AddWithValue("detail", string.Create(CultureInfo.InvariantCulture, $"{file.Name} ({file.Content.Length} bytes, sha256 {sha})"));
            id = (long)(await ins.ExecuteScalarAsync())!;
        }
        return (id, sha);
    }
}
