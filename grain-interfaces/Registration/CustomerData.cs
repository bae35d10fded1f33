namespace Billing.GrainInterfaces.Registration;

/// <summary>
/// A customer's registration ("cadastro"). As stored by the grain it is normalized:
/// <see cref="Documento"/> holds digits/upper-case only (format with <see cref="TaxId.Format"/>),
/// <see cref="Cep"/> 8 digits, <see cref="Uf"/> a two-letter code, <see cref="Pais"/> defaults to "Brasil".
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.CustomerData")]
public sealed record CustomerData
{
    [Id(0)] public string Nome { get; init; } = "";
    [Id(1)] public string Documento { get; init; } = "";
    [Id(2)] public string? RazaoSocial { get; init; }
    [Id(3)] public string? InscricaoEstadual { get; init; }
    [Id(4)] public string? Cep { get; init; }
    [Id(5)] public string? Pais { get; init; }
    [Id(6)] public string? Uf { get; init; }
    [Id(7)] public string? Cidade { get; init; }
    [Id(8)] public string? Bairro { get; init; }
    [Id(9)] public string? Logradouro { get; init; }
    [Id(10)] public string? Numero { get; init; }
    [Id(11)] public string? Complemento { get; init; }
    [Id(12)] public string? Observacoes { get; init; }
}

/// <summary>What the caller sends for a contact.</summary>
[GenerateSerializer, Immutable, Alias("Billing.ContactData")]
public sealed record ContactData
{
    [Id(0)] public string Nome { get; init; } = "";
    [Id(1)] public string? Email { get; init; }
    [Id(2)] public string? Telefone { get; init; }
    [Id(3)] public string? Cargo { get; init; }
}

/// <summary>A stored contact; <see cref="Id"/> is unique within its customer and never reused.</summary>
[GenerateSerializer, Immutable, Alias("Billing.Contact")]
public sealed record Contact
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public string Nome { get; init; } = "";
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public string? Telefone { get; init; }
    [Id(4)] public string? Cargo { get; init; }
}

/// <summary>A customer as its grain holds it.</summary>
[GenerateSerializer, Immutable, Alias("Billing.CustomerView")]
public sealed record CustomerView
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public CustomerData Data { get; init; } = new();
    [Id(2)] public Contact[] Contacts { get; init; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Incremented on every change (registration or contacts).</summary>
    [Id(5)] public long Version { get; init; }
}
