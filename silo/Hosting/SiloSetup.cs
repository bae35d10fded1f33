using Billing.GrainInterfaces.Circuits;
using System.Net;
using Billing.GrainInterfaces.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Billing.Grains.Circuits;
using Billing.Grains.Ledger;
using Billing.Silo.Ledger;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;

namespace Billing.Silo.Hosting;

/// <summary>The one place that wires a billing silo; used by Program and by the in-process test cluster.</summary>
public static class SiloSetup
{
    public static ISiloBuilder AddBillingSilo(this ISiloBuilder silo, BillingSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        if (settings.SiloName is { } name)
            silo.Configure<SiloOptions>(o => o.SiloName = name);

        var advertised = settings.AdvertisedIp is { } ip ? IPAddress.Parse(ip) : IPAddress.Loopback;
        silo.ConfigureEndpoints(advertised, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);

        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = BillingSettings.Invariant;
            o.ConnectionString = settings.Database;
        });
        silo.AddAdoNetGrainStorage(BillingSettings.StorageName, o =>
        {
            o.Invariant = BillingSettings.Invariant;
            o.ConnectionString = settings.Database;
        });
        // Orleans' own version-tolerant binary serializer for grain state: the default JSON one cannot
        // read back immutable collections (a plan's versions), which only shows when a grain reactivates.
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(BillingSettings.StorageName)
            .Configure<Orleans.Serialization.Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = BillingSettings.Invariant;
            o.ConnectionString = settings.Database;
        });
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Billing:Membership"));

        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton(settings);
        silo.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(settings.Database).Build());
        silo.Services.AddSingleton<LedgerMetrics>();
        silo.Services.AddValidatedOptions<LedgerOptions>("Billing:Ledger");
        silo.Services.AddSingleton<PostgresLedger>();
        silo.Services.AddSingleton<ILedger>(sp => sp.GetRequiredService<PostgresLedger>());
        silo.Services.AddSingleton<CircuitStore>();
        silo.Services.AddSingleton<SipTraceStore>();
        silo.Services.AddSingleton<Billing.Grains.Logins.DataProtectionKeyStore>();
        silo.Services.AddValidatedOptions<CallOptions>(CallLimits.Section);
        silo.Services.AddValidatedOptions<LowBalanceOptions>(LowBalanceOptions.Section);
        silo.Services.AddOptions<SipOptions>().BindConfiguration("Billing:Sip")
            .Validate(o => SipPassword.IsValidRealm(o.Realm), "Billing:Sip:Realm: 1 a 64 caracteres ASCII visíveis, sem aspas.").ValidateOnStart();
        silo.AddBillingObservability(configuration);
        // the switch protocol (Kamailio evapi): off unless BILLING_SWITCH_EVAPI lists endpoints
        Billing.Silo.Switch.EvapiServices.AddEvapi(silo.Services, configuration);
        Billing.Grains.Invoicing.InvoicingServices.AddInvoicing(silo.Services, configuration);
        // reseller months are frozen by the cluster when they end (a reminder), never by a read
        silo.AddStartupTask(async (sp, _) =>
        {
            try
            {
                await sp.GetRequiredService<IGrainFactory>()
                    .GetGrain<Billing.GrainInterfaces.Resellers.IResellerStatementsGrain>(Billing.GrainInterfaces.Resellers.IResellerStatementsGrain.Key).Start();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Billing.Silo")
                    .LogWarning(e, "Lembrete de fechamento das faturas de revenda não registrado; a próxima partida do silo tenta de novo");
            }
        });
        return silo;
    }
}
