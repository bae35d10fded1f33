using System.Collections.Immutable;
using System.Globalization;

namespace Billing.GrainInterfaces.Circuits;

public enum BillingMode
{
    Prepaid,
    Postpaid,
}

public enum CircuitStatus
{
    Ativo,
    Bloqueado,
}

/// <summary>Gestão Web flags: which portal features the circuit's customer may use.</summary>
[GenerateSerializer, Immutable, Alias("Billing.WebFlags")]
public sealed record WebFlags
{
    [Id(0)] public bool Acb { get; init; }
    [Id(1)] public bool Blacklist { get; init; }
    [Id(2)] public bool Faturas { get; init; } = true;
    [Id(3)] public bool Grafico { get; init; } = true;
    [Id(4)] public bool Mensagem { get; init; } = true;
    [Id(5)] public bool Perfil { get; init; } = true;
    [Id(6)] public bool Resposta { get; init; }
    [Id(7)] public bool Sigame { get; init; }
    [Id(8)] public bool Tabela { get; init; } = true;
    [Id(9)] public bool Web { get; init; } = true;
}

/// <summary>A custom field printed on the circuit's invoices ("Configurar Fatura").</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceCustomField")]
public sealed record InvoiceCustomField([property: Id(0)] string Name, [property: Id(1)] string Value);

/// <summary>"Configurar Fatura": closing day (1–28), days from closing to due date, monthly fee, custom fields.</summary>
[GenerateSerializer, Immutable, Alias("Billing.InvoiceConfig")]
public sealed record InvoiceConfig
{
    [Id(0)] public int ClosingDay { get; init; } = 1;
    [Id(1)] public int DueDays { get; init; } = 10;
    [Id(2)] public decimal MonthlyFee { get; init; }
    [Id(3)] public ImmutableArray<InvoiceCustomField> CustomFields { get; init; } = [];
}

/// <summary>What an admin sets on a circuit (everything but the account, balance and password).</summary>
[GenerateSerializer, Immutable, Alias("Billing.CircuitData")]
public sealed record CircuitData
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public long CustomerId { get; init; }
    [Id(2)] public string? PlanId { get; init; }
    [Id(3)] public string AreaCode { get; init; } = "";
    [Id(4)] public string? Central { get; init; }
    [Id(5)] public BillingMode BillingMode { get; init; } = BillingMode.Prepaid;
    [Id(6)] public decimal CreditLimit { get; init; }
    [Id(7)] public CircuitStatus Status { get; init; } = CircuitStatus.Ativo;
    [Id(8)] public WebFlags Flags { get; init; } = new();
    [Id(9)] public InvoiceConfig Invoice { get; init; } = new();
    /// <summary>IANA time zone its plan's tariff windows are read in (issue 19).</summary>
    [Id(10)] public string TimeZone { get; init; } = DefaultTimeZone;
    /// <summary>Low-balance alert thresholds in reais (issue 19); null: the default of <see cref="LowBalanceOptions"/>.</summary>
    [Id(11)] public ImmutableArray<decimal>? LowBalanceThresholds { get; init; }

    public const string DefaultTimeZone = "America/Sao_Paulo";
}

[GenerateSerializer, Immutable, Alias("Billing.CircuitView")]
public sealed record CircuitView
{
    [Id(0)] public required string Account { get; init; }
    [Id(1)] public required CircuitData Data { get; init; }
    [Id(2)] public decimal Balance { get; init; }
    [Id(3)] public bool HasWebPassword { get; init; }
    [Id(4)] public string? Ip { get; init; }
    [Id(5)] public int? LatencyMs { get; init; }
    [Id(6)] public DateTimeOffset? RegisteredAt { get; init; }
    [Id(7)] public required string RegistrationStatus { get; init; }
    [Id(8)] public DateTimeOffset CreatedAt { get; init; }
    [Id(9)] public int ActiveCalls { get; init; }
    [Id(10)] public bool HasSipPassword { get; init; }
    /// <summary>Where the last REGISTER came from (port, transport) and the phone's User-Agent; null when not registered.</summary>
    [Id(11)] public int? Port { get; init; }
    [Id(12)] public string? Transport { get; init; }
    [Id(13)] public string? UserAgent { get; init; }
    /// <summary>When the registration runs out unless renewed (null: the report gave no expiry).</summary>
    [Id(14)] public DateTimeOffset? ExpiresAt { get; init; }
}

public static class CircuitKeys
{
    public const string Prefix = "ckt:";

    public static string For(string account) => Prefix + account;

    /// <summary>Account numbers are 1–20 digits (what SIP accounts look like on the switch).</summary>
    public static bool IsValidAccount(string? account) =>
        account is { Length: > 0 and <= 20 } && account.All(char.IsAsciiDigit);

    public static ICircuitGrain Circuit(this IGrainFactory grains, string account)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<ICircuitGrain>(For(account));
    }

    /// <summary>
    /// "OK (4 ms)" while the circuit was last seen (registration or answered keepalive) within the TTL and its
    /// registration has not run out, else "Offline".
    /// </summary>
    public static string RegistrationStatus(DateTimeOffset? seenAt, int? latencyMs, DateTimeOffset now, TimeSpan ttl,
        DateTimeOffset? expiresAt = null) =>
        seenAt is { } at && now - at <= ttl && (expiresAt is null || expiresAt > now)
            ? string.Create(CultureInfo.InvariantCulture, $"OK ({latencyMs ?? 0} ms)")
            : "Offline";
}
