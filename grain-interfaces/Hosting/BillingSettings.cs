using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Billing.GrainInterfaces.Hosting;

/// <summary>
/// Settings shared by the silo and the API host. Each value is read from the environment-style key
/// (e.g. <c>BILLING_DB</c>) first and then from the <c>Billing</c> section of appsettings.
/// </summary>
public sealed record BillingSettings
{
    public required string Database { get; init; }
    public string ClusterId { get; init; } = "billing";
    public string ServiceId { get; init; } = "billing";
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;
    public string? AdvertisedIp { get; init; }
    public string? SiloName { get; init; }

    public const string Invariant = "Npgsql";
    public const string StorageName = "billing";

    public static BillingSettings From(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? Get(string env, string key) =>
            NonEmpty(config[env]) ?? NonEmpty(config[$"Billing:{key}"]);

        var db = Get("BILLING_DB", "Db")
                 ?? throw new InvalidOperationException(
                     "BILLING_DB (string de conexão do PostgreSQL) não foi configurada.");
        return new BillingSettings
        {
            Database = db,
            ClusterId = Get("BILLING_CLUSTER_ID", "ClusterId") ?? "billing",
            ServiceId = Get("BILLING_SERVICE_ID", "ServiceId") ?? "billing",
            SiloPort = ParsePort(Get("BILLING_SILO_PORT", "SiloPort"), 11111),
            GatewayPort = ParsePort(Get("BILLING_GATEWAY_PORT", "GatewayPort"), 30000),
            AdvertisedIp = Get("BILLING_ADVERTISED_IP", "AdvertisedIp"),
            SiloName = Get("BILLING_SILO_NAME", "SiloName"),
        };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static int ParsePort(string? value, int fallback)
    {
        if (value is null) return fallback;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            return port;
        throw new InvalidOperationException($"Porta inválida: '{value}'.");
    }
}
