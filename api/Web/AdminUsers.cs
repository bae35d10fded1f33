using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.Logins;
using Npgsql;

namespace Billing.Api.Web;

public static class AdminWeb
{
    public const string Scheme = "admin-web";
    public const string Policy = "admin-web";
    public const string UserIdClaim = "billing:admin-user-id";
}

public enum LoginStatus
{
    Ok,
    Invalid,
    Throttled,
}

/// <summary>An admin; <see cref="Stamp"/> is the session stamp of the current password (<see cref="WebPassword.Stamp"/>).</summary>
public sealed record AdminUser(long Id, string Username, string Nome, string Stamp = "");

public sealed record LoginOutcome(LoginStatus Status, AdminUser? User = null);

public sealed record AdminUserRow(string Username, string Nome, DateTimeOffset? LastLogin, bool Locked, string CreatedBy);

/// <summary>
/// Admin users: read from PostgreSQL (<c>admin_users</c>), written by their grain (<see cref="IAdminUserGrain"/>);
/// passwords only as PBKDF2 hashes (<see cref="WebPassword"/>), hashed and verified here in the API host. The lockout is the cluster's <see cref="LoginGuard"/> (shared by every API host).
/// </summary>
public sealed class AdminUsers(NpgsqlDataSource db, IClusterClient cluster, LoginGuard guard)
{
    public const int MaxUsernameLength = 60;
    public const int MaxPasswordLength = 128;

    public static string Normalize(string? username) => (username ?? "").Trim().ToLowerInvariant();

    public static string? UsernameProblem(string? username) => Normalize(username) switch
    {
        "" => "Informe o usuário.",
        { Length: > MaxUsernameLength } => "O usuário pode ter no máximo 60 caracteres.",
        var u when !u.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@') =>
            "Use apenas letras, números, ponto, hífen, sublinhado e @.",
        _ => null,
    };

    /// <summary>
    /// Checks a login. A user name that could not be stored (empty, too long, control characters) or a password
    /// longer than allowed is refused like a wrong password, without touching the database; it counts against the
    /// client address only.
    /// </summary>
    public async Task<LoginOutcome> LoginAsync(string? username, string? password, string ip, CancellationToken ct)
    {
        var raw = username ?? "";
        var name = raw.Length > MaxUsernameLength + 20 ? "" : Normalize(raw);
        var nameOk = name.Length > 0 && InputRules.Text(name, MaxUsernameLength) is null;
        var attempt = await guard.TryBeginAsync(nameOk ? LoginKeys.Admin(name) : null, ip);
        if (attempt is null) return new(LoginStatus.Throttled);
        if (!nameOk || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
            return new(await attempt.EndAsync(false) ? LoginStatus.Throttled : LoginStatus.Invalid);

        AdminUser? user = null;
        string? hash = null;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            "SELECT id, username, nome, password_hash FROM admin_users WHERE lower(username) = @u AND NOT disabled", conn))
        {
            cmd.Parameters.AddWithValue("u", name);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                hash = r.GetString(3);
                user = new AdminUser(r.GetInt64(0), r.GetString(1), r.GetString(2), WebPassword.Stamp(hash));
            }
        }
        var ok = WebPassword.Verify(password, hash ?? WebPassword.Dummy) && user is not null;
        var locked = await attempt.EndAsync(ok);
        if (!ok) return new(locked ? LoginStatus.Throttled : LoginStatus.Invalid);
        await cluster.AdminUser(name).RecordLogin();
        return new(LoginStatus.Ok, user);
    }

    /// <summary>The session stamp of an admin's current password; null when the admin does not exist or is disabled.</summary>
    public async Task<string?> StampAsync(long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT password_hash FROM admin_users WHERE id = @id AND NOT disabled");
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) is string hash ? WebPassword.Stamp(hash) : null;
    }

    /// <summary>Creates the user unless the name is taken; null on success, else the pt-BR problem (field → message).</summary>
    public async Task<(string Field, string Message)?> CreateAsync(string? username, string? nome, string? password, string actor,
        bool onlyIfNoAdmin = false, CancellationToken ct = default)
    {
        if (UsernameProblem(username) is { } up) return ("username", up);
        if (WebPassword.Problem(password) is { } pp) return ("password", pp);
        var inserted = await cluster.AdminUser(Normalize(username)).Create((nome ?? "").Trim(), WebPassword.Hash(password!), actor, onlyIfNoAdmin);
        return inserted || onlyIfNoAdmin ? null : ("username", "Já existe um administrador com esse usuário.");
    }

    /// <summary>Checks the current password, then stores the new one's hash; null on success, else (field, message).</summary>
    public async Task<(string Field, string Message)?> ChangePasswordAsync(long id, string? current, string? password, CancellationToken ct)
    {
        string? name = null, hash = null;
        await using (var read = db.CreateCommand("SELECT username, password_hash FROM admin_users WHERE id = @id AND NOT disabled"))
        {
            read.Parameters.AddWithValue("id", id);
            await using var r = await read.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct)) (name, hash) = (r.GetString(0), r.GetString(1));
        }
        if (hash is null || string.IsNullOrEmpty(current) || !WebPassword.Verify(current, hash)) return ("current", "Senha atual incorreta.");
        if (WebPassword.Problem(password) is { } problem) return ("password", problem);
        if (string.Equals(current, password, StringComparison.Ordinal)) return ("password", "A nova senha deve ser diferente da atual.");
        // compare-and-set on the hash just checked: a concurrent change makes this one fail as a wrong current password
        return await cluster.AdminUser(Normalize(name)).ChangePasswordHash(hash, WebPassword.Hash(password!))
            ? null
            : ("current", "Senha atual incorreta.");
    }

    /// <summary>Every enabled admin, by user name, with whether the cluster's login guard has it locked out now.</summary>
    public async Task<IReadOnlyList<AdminUserRow>> ListAsync(CancellationToken ct)
    {
        var list = new List<AdminUserRow>();
        await using (var cmd = db.CreateCommand(
            "SELECT username, nome, last_login_at, created_by FROM admin_users WHERE NOT disabled ORDER BY username"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                list.Add(new AdminUserRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), false, r.GetString(3)));
        }
        // the lockout lives in the login guard grains (shared by every API host)
        var guards = await Task.WhenAll(list.Select(row => cluster.GetGrain<ILoginGuardGrain>(LoginKeys.Admin(Normalize(row.Username))).Get()));
        return [.. list.Select((row, i) => row with { Locked = guards[i].LockedUntil is not null })];
    }

    public async Task<bool> AnyAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM admin_users)");
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>
/// The first admin from configuration (<c>BILLING_ADMIN_USER</c> / <c>BILLING_ADMIN_PASSWORD</c>), created at API start
/// when no admin exists yet. Retries while the silo has not yet applied the migrations.
/// </summary>
public sealed partial class FirstAdminBootstrap(IConfiguration config, AdminUsers users, ILogger<FirstAdminBootstrap> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var user = config["BILLING_ADMIN_USER"];
        var password = config["BILLING_ADMIN_PASSWORD"];
        if (string.IsNullOrWhiteSpace(user) || string.IsNullOrEmpty(password)) return;
        var problem = AdminUsers.UsernameProblem(user) ?? WebPassword.Problem(password);
        if (problem is not null)
        {
            LogRejected(log, problem);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await users.AnyAsync(stoppingToken))
                {
                    await users.CreateAsync(user, user, password, "configuracao", onlyIfNoAdmin: true, stoppingToken);
                    LogCreated(log, AdminUsers.Normalize(user));
                }
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && !stoppingToken.IsCancellationRequested)
            {
                // 42P01: admin_users does not exist yet (the silo applies the migrations); or the database or the cluster
                // (whose admin grain writes the row) is not up yet
                LogWaiting(log, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "BILLING_ADMIN_USER/BILLING_ADMIN_PASSWORD recusados: {Problem}")]
    private static partial void LogRejected(ILogger log, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Primeiro administrador do web admin criado: {User}")]
    private static partial void LogCreated(ILogger log, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aguardando o banco para criar o primeiro administrador: {Error}")]
    private static partial void LogWaiting(ILogger log, string error);
}
