using Billing.GrainInterfaces.Portal;
using Npgsql;

namespace Billing.Grains.Portal;

/// <summary>Table <c>portal_replies</c> (migration 0016), used only by <see cref="PortalReplyGrain"/> for its own circuit.</summary>
public sealed class PortalReplyStore(NpgsqlDataSource db)
{
    private const string Columns = "id, account, customer_id, subject, body, created_at, read_at, read_by";

    private static PortalReply Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        new DateTimeOffset(r.GetDateTime(5), TimeSpan.Zero),
        r.IsDBNull(6) ? null : new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero),
        r.IsDBNull(7) ? null : r.GetString(7));

    /// <summary>Inserts the reply, or answers the one already stored under the same request key (a double submit).</summary>
    public async Task<PortalReply> InsertAsync(string account, long customerId, string subject, string body, string requestKey, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand(
            $"""
             WITH ins AS (
                 INSERT INTO portal_replies (account, customer_id, subject, body, created_at, request_key)
                 VALUES (@a, @c, @s, @b, @now, @k)
                 ON CONFLICT (account, request_key) DO NOTHING
                 RETURNING {Columns})
             SELECT {Columns} FROM ins
             UNION ALL
             SELECT {Columns} FROM portal_replies WHERE account = @a AND request_key = @k
             LIMIT 1
             """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("c", customerId);
        cmd.Parameters.AddWithValue("s", subject);
        cmd.Parameters.AddWithValue("b", body);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        cmd.Parameters.AddWithValue("k", requestKey);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) throw new InvalidOperationException("A resposta não foi gravada nem encontrada.");
        return Read(r);
    }

    /// <summary>Marks the reply read (keeps the first mark); null when <paramref name="id"/> is not this circuit's.</summary>
    public async Task<PortalReply?> MarkReadAsync(string account, long id, string actor, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand(
            $"""
             UPDATE portal_replies SET read_at = coalesce(read_at, @now), read_by = coalesce(read_by, @by)
             WHERE id = @id AND account = @a
             RETURNING {Columns}
             """);
        cmd.Parameters.AddWithValue("a", account);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("by", actor);
        cmd.Parameters.AddWithValue("now", now.UtcDateTime);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? Read(r) : null;
    }
}
