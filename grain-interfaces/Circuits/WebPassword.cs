using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>Senha Web: stored only as a salted PBKDF2-SHA256 hash (<c>pbkdf2-sha256$iter$salt$hash</c>).</summary>
public static class WebPassword
{
    private const int Iterations = 120_000;

    public static string? Problem(string? password) => password switch
    {
        null or "" => "Informe a senha.",
        { Length: < 8 } => "A senha precisa ter pelo menos 8 caracteres.",
        { Length: > 128 } => "A senha pode ter no máximo 128 caracteres.",
        _ when !password.Any(char.IsLetter) || !password.Any(char.IsDigit) => "A senha precisa ter letras e números.",
        _ => null,
    };

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture,
            $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>A hash that matches no password: verified when the login is unknown, so every refusal costs the same time.</summary>
    public static string Dummy => LazyDummy.Value;

    private static readonly Lazy<string> LazyDummy = new(() => Hash("nenhum-usuario-1"));

    /// <summary>
    /// Session stamp of a stored hash: changes whenever the password does (new salt), tells nothing about the password.
    /// Kept in the login cookie and compared on later requests, so a password change ends the other sessions.
    /// </summary>
    public static string Stamp(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("billing-session|" + stored)), 0, 12);
    }

    public static bool Verify(string password, string? stored)
    {
        if (string.IsNullOrEmpty(stored) || password is null) return false;
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256") return false;
        var iterations = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}

/// <summary>A circuit's Senha Web hash and session stamp (<see cref="WebPassword.Stamp"/>), for the portal login.</summary>
[GenerateSerializer, Immutable, Alias("Billing.WebLogin")]
public sealed record WebLogin([property: Id(0)] string PasswordHash, [property: Id(1)] string Stamp);
