using Billing.GrainInterfaces.Common;
using System.Collections.Immutable;
using System.Globalization;
using Billing.GrainInterfaces.Registration;

namespace Billing.GrainInterfaces.Resellers;

/// <summary>A contact of a reseller (name required; e-mail/phone/role optional).</summary>
[GenerateSerializer, Immutable, Alias("Billing.ResellerContact")]
public sealed record ResellerContact
{
    [Id(0)] public string Nome { get; init; } = "";
    [Id(1)] public string? Email { get; init; }
    [Id(2)] public string? Telefone { get; init; }
    [Id(3)] public string? Cargo { get; init; }
}

/// <summary>
/// A reseller ("revenda"): registration, contacts and DID tariffs. <see cref="DidMonthlyFee"/> is the
/// default monthly fee of each DID in service (a DID may override it); <see cref="CompletionPricePerMinute"/>
/// is what the reseller pays per inbound minute completed on its DIDs (rated per second, each call
/// rounded once to centavos). Stored normalized (document digits/upper-case only).
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.ResellerData")]
public sealed record ResellerData
{
    [Id(0)] public string Nome { get; init; } = "";
    [Id(1)] public string Documento { get; init; } = "";
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public string? Telefone { get; init; }
    [Id(4)] public string? Observacoes { get; init; }
    [Id(5)] public ImmutableArray<ResellerContact> Contatos { get; init; } = [];
    [Id(6)] public decimal DidMonthlyFee { get; init; }
    [Id(7)] public decimal CompletionPricePerMinute { get; init; }
}

[GenerateSerializer, Immutable, Alias("Billing.ResellerView")]
public sealed record ResellerView
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public ResellerData Data { get; init; } = new();
    [Id(2)] public DateTimeOffset CreatedAt { get; init; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Inbound completion totals of one day (America/Sao_Paulo).</summary>
[GenerateSerializer, Immutable, Alias("Billing.ResellerDayTotals")]
public sealed record ResellerDayTotals(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] int Calls,
    [property: Id(2)] long Seconds,
    [property: Id(3)] decimal Amount);

/// <summary>Live totals kept by the Reseller grain: today and the current calendar month (São Paulo).</summary>
[GenerateSerializer, Immutable, Alias("Billing.ResellerTotals")]
public sealed record ResellerTotals(
    [property: Id(0)] ResellerDayTotals Today,
    [property: Id(1)] string Month,
    [property: Id(2)] int MonthCalls,
    [property: Id(3)] long MonthSeconds,
    [property: Id(4)] decimal MonthAmount,
    [property: Id(5)] IReadOnlyList<ResellerDayTotals> Days);

/// <summary>Validation/normalization of reseller data (pure; CPF/CNPJ through <see cref="TaxId"/>).</summary>
public static class ResellerRules
{
    public const decimal MaxMoney = 10_000_000m;

    /// <summary>Characters the database refuses or no person types (lengths are checked with their own messages).</summary>
    private static void Chars(List<FieldError> errors, string field, string? value, bool multiline = false)
    {
        if (value is not null && Common.InputRules.HasForbiddenCharacters(value, multiline))
            errors.Add(new(field, "Contém caracteres de controle ou inválidos."));
    }

    public static IReadOnlyList<FieldError> Validate(ResellerData input, out ResellerData normalized)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();
        var nome = Clean(input.Nome);
        if (nome is null) errors.Add(new("nome", "Informe o nome da revenda."));
        else if (nome.Length > 200) errors.Add(new("nome", "O nome pode ter no máximo 200 caracteres."));
        var documento = "";
        if (!TaxId.TryParse(input.Documento, out var doc, out _, out var docError)) errors.Add(new("documento", docError!));
        else documento = doc;
        var email = Clean(input.Email);
        if (email is not null && !LooksLikeEmail(email)) errors.Add(new("email", "E-mail inválido."));
        var telefone = Clean(input.Telefone);
        if (telefone is { Length: > 40 }) errors.Add(new("telefone", "Telefone longo demais."));
        var obs = Clean(input.Observacoes);
        if (obs is { Length: > 4000 }) errors.Add(new("observacoes", "Observações com no máximo 4000 caracteres."));
        Chars(errors, "nome", nome);
        Chars(errors, "email", email);
        Chars(errors, "telefone", telefone);
        Chars(errors, "observacoes", obs, multiline: true);
        if (input.DidMonthlyFee < 0 || input.DidMonthlyFee > MaxMoney) errors.Add(new("didMonthlyFee", "Mensalidade por DID inválida."));
        else if (!Money.HasAtMostTwoDecimals(input.DidMonthlyFee)) errors.Add(new("didMonthlyFee", "Use no máximo 2 casas decimais (centavos)."));
        if (input.CompletionPricePerMinute < 0 || input.CompletionPricePerMinute > 1000m)
            errors.Add(new("completionPricePerMinute", "Preço de completamento por minuto inválido."));
        else if (decimal.Round(input.CompletionPricePerMinute, 6) != input.CompletionPricePerMinute)
            errors.Add(new("completionPricePerMinute", "Use no máximo 6 casas decimais."));
        var contacts = input.Contatos.IsDefault ? [] : input.Contatos;
        if (contacts.Length > 50) errors.Add(new("contatos", "No máximo 50 contatos."));
        var cleanContacts = ImmutableArray.CreateBuilder<ResellerContact>();
        for (var i = 0; i < contacts.Length; i++)
        {
            var c = contacts[i] ?? new ResellerContact();
            var prefix = string.Create(CultureInfo.InvariantCulture, $"contatos[{i}]");
            var cn = Clean(c.Nome);
            if (cn is null || cn.Length > 200) errors.Add(new(prefix + ".nome", "Informe o nome do contato (até 200 caracteres)."));
            var ce = Clean(c.Email);
            if (ce is not null && !LooksLikeEmail(ce)) errors.Add(new(prefix + ".email", "E-mail inválido."));
            var ct = Clean(c.Telefone);
            if (ct is { Length: > 40 }) errors.Add(new(prefix + ".telefone", "Telefone longo demais."));
            var cc = Clean(c.Cargo);
            if (cc is { Length: > 100 }) errors.Add(new(prefix + ".cargo", "Cargo longo demais."));
            Chars(errors, prefix + ".nome", cn);
            Chars(errors, prefix + ".email", ce);
            Chars(errors, prefix + ".telefone", ct);
            Chars(errors, prefix + ".cargo", cc);
            cleanContacts.Add(new ResellerContact { Nome = cn ?? "", Email = ce, Telefone = ct, Cargo = cc });
        }
        normalized = new ResellerData
        {
            Nome = nome ?? "",
            Documento = documento,
            Email = email,
            Telefone = telefone,
            Observacoes = obs,
            Contatos = cleanContacts.ToImmutable(),
            DidMonthlyFee = input.DidMonthlyFee,
            CompletionPricePerMinute = input.CompletionPricePerMinute,
        };
        return errors;
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static bool LooksLikeEmail(string s) =>
        s.Length <= 254 && s.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < s.Length - 3
        && s.IndexOf('.', at) > at + 1 && !s.Any(char.IsWhiteSpace);
}
