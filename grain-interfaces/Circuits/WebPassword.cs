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
