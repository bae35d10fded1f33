using Billing.GrainInterfaces.Registration;

namespace Billing.Tests.Registration;

/// <summary>Random valid documents so tests never collide on the unique index.</summary>
internal static class Docs
{
    public static string Cpf()
    {
        var d = new int[11];
        do
        {
            for (var i = 0; i < 9; i++) d[i] = Random.Shared.Next(10);
        } while (d.Take(9).Distinct().Count() == 1);
        d[9] = Digit(Enumerable.Range(0, 9).Sum(i => d[i] * (10 - i)));
        d[10] = Digit(Enumerable.Range(0, 10).Sum(i => d[i] * (11 - i)));
        return string.Concat(d.Select(x => (char)('0' + x)));
    }

    public static string Cnpj() => WithDigits(string.Concat(Enumerable.Range(0, 8).Select(_ => (char)('0' + Random.Shared.Next(10)))) + "0001");

    public static string AlphaCnpj()
    {
        const string chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        return WithDigits(string.Concat(Enumerable.Range(0, 12).Select(_ => chars[Random.Shared.Next(chars.Length)])));
    }

    private static string WithDigits(string base12)
    {
        var (a, b) = TaxId.CnpjCheckDigits(base12);
        return base12 + (char)('0' + a) + (char)('0' + b);
    }

    private static int Digit(int sum) => sum % 11 < 2 ? 0 : 11 - sum % 11;
}
