using Billing.Api.Application;
using System.Text.Json.Serialization;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Hosting;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Orleans.Configuration;
using Scalar.AspNetCore;

namespace Billing.Api.Hosting;

public static class ApiSetup
{
    public static WebApplicationBuilder AddBillingApi(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var config = builder.Configuration;
        var settings = BillingSettings.From(config);
        var adminKey = config["BILLING_ADMIN_KEY"];
        var switchKey = config["BILLING_SWITCH_KEY"];
        if (string.IsNullOrWhiteSpace(adminKey) || string.IsNullOrWhiteSpace(switchKey))
            throw new InvalidOperationException("Defina BILLING_ADMIN_KEY e BILLING_SWITCH_KEY (o deploy/run.sh gera chaves em .data/keys.env).");
        if (string.Equals(adminKey, switchKey, StringComparison.Ordinal))
            throw new InvalidOperationException("BILLING_ADMIN_KEY e BILLING_SWITCH_KEY devem ser diferentes.");

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(settings.Database).Build());
        // the switch hot path, shared with the silo's evapi connector
        services.AddSingleton(sp => new SwitchCalls(sp.GetRequiredService<IClusterClient>(), SwitchCalls.ShardsFrom(config),
            sp.GetRequiredService<ILogger<SwitchCalls>>()));
        services.AddBillingForwardedHeaders(ForwardedHeadersSetup.Read(config));
        services.AddMemoryCache();
        services.AddValidatedOptions<WebSessionOptions>("Billing:Sessions");
        // the call limits the silos enforce too (one definition, CallLimits), checked at start like theirs
        services.AddValidatedOptions<CallLimits>(CallLimits.Section);
        // the default low-balance thresholds the silos alert with: the admin list's "saldo baixo" filter needs them too
        services.AddValidatedOptions<LowBalanceOptions>(LowBalanceOptions.Section);
        services.AddSingleton<CdrImportService>();
        services.AddSingleton<CustomerService>();
        services.AddSingleton<SipTraceService>();
        services.AddSingleton<SipTraceQueries>();
        services.AddSingleton<CustomerQueries>();
        services.AddSingleton<CircuitService>();
        services.AddSingleton<CircuitQueries>();
        services.AddSingleton<CircuitCallQueries>();
        services.AddSingleton<InvoiceQueries>();
        services.AddSingleton<AuditQueries>();
        services.AddSingleton<WebhookQueries>();
        services.AddSingleton<LookupQueries>();
        services.AddSingleton<ResellerService>();
        services.AddSingleton<ResellerQueries>();
        services.AddSingleton<DidService>();
        services.AddSingleton<DidQueries>();
        services.AddSingleton<PlanService>();
        services.AddSingleton<PlanQueries>();
        services.AddSingleton<HolidayService>();
        services.AddSingleton<RateDeckService>();
        services.AddSingleton<RateDeckQueries>();
        services.AddSingleton<BillingService>();
        services.AddSingleton<BillingQueries>();
        services.AddValidatedOptions<PaymentWebhookOptions>("Billing:Payments");
        services.AddSingleton<InvoicePaymentService>();
        services.AddSingleton<InvoiceService>();
        services.AddSingleton<InvoiceDetailQueries>();
        services.AddSingleton<PortalService>();
        services.AddSingleton<PortalQueries>();
        services.AddSingleton<LoginGuard>();
        services.AddSingleton<WebSessions>();

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = BillingSettings.Invariant;
                o.ConnectionString = settings.Database;
            });
            client.UseConnectionRetryFilter(RetryForever);
            client.AddBillingDashboard();
            // failover knobs of the Orleans client (README "Running many silos / operations")
            client.Configure<GatewayOptions>(config.GetSection("Billing:Gateway"));
            client.Configure<ClientMessagingOptions>(config.GetSection("Billing:ClientMessaging"));
        });
        // after the Orleans client: hosted services start in registration order, and Data Protection reads its key ring
        // (a grain) when it starts; before the client had connected that read failed ("Could not find an implementation
        // for interface IDataProtectionKeysGrain") and the first requests ran on a key ring read later
        services.AddBillingDataProtection();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<BillingExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        services.AddAuthentication(ApiKeyHandler.SchemeName)
            .AddScheme<BillingKeyOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, o =>
            {
                o.AdminKey = adminKey;
                o.SwitchKey = switchKey;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Switch, p => p.RequireRole(Roles.Switch))
            .AddPolicy(Policies.AdminOrSwitch, p => p.RequireRole(Roles.Admin, Roles.Switch))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(Roles.Admin).Build());
        builder.AddBillingAdminWeb();

        services.AddOpenApi();
        services.AddRazorPages(o => o.Conventions.ConfigureFilter(new InputGuardPageFilter()));
        services.AddBillingPortal();
        services.AddBillingHealth();
        services.AddBillingObservability();
        return builder;
    }

    private static async Task<bool> RetryForever(Exception exception, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        return !ct.IsCancellationRequested;
    }

    public static WebApplication UseBillingApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseBillingForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapRazorPages();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapHealthApi();
        app.MapBillingObservability();
        app.MapCallsApi();
        app.MapCdrImportApi();
        // signed by the payment provider (HMAC of the raw body): read before any guard touches the body
        app.MapPaymentWebhook();
        // every other API: text with forbidden characters never reaches a handler (issue 15; InputGuard)
        var guarded = app.MapGroup("");
        guarded.AddEndpointFilter(InputGuard.Filter);
        guarded.MapSystemApi();
        guarded.MapCircuitsApi();
        guarded.MapSipTraceApi();
        guarded.MapCustomersApi();
        guarded.MapAuditApi();
        guarded.MapPlansApi();
        guarded.MapRateDecksApi();
        guarded.MapRatingApi();
        guarded.MapHolidaysApi();
        guarded.MapResellersApi();
        guarded.MapDidsApi();
        guarded.MapBlacklistApi();
        guarded.MapResellerStatementsApi();
        guarded.MapInvoicesApi();
        guarded.MapCreditNotesApi();
        guarded.MapBillingApi();
        guarded.MapBillingDocumentsApi();
        guarded.MapWebhooksApi();
        guarded.MapPaymentsApi();
        return app;
    }
}
