using System.Globalization;
using Billing.Api.Hosting;
using Billing.Api.Web;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Hosting;
using Billing.Grains.Circuits;
using Billing.Grains.Invoicing;
using Billing.Grains.PendingBilling;
using Billing.Silo.Hosting;
using Billing.Silo.Ledger;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Billing.Tests.Hosting;

/// <summary>Options are bound and range-checked at start: a bad value stops the host, naming the setting.</summary>
public sealed class OptionsValidationTests
{
    private static Dictionary<string, string?> Base(string database) => new()
    {
        ["BILLING_DB"] = database,
        ["BILLING_CLUSTER_ID"] = "opts-" + Guid.NewGuid().ToString("N")[..8],
        ["BILLING_ADMIN_KEY"] = "admin-" + Guid.NewGuid().ToString("N"),
        ["BILLING_SWITCH_KEY"] = "switch-" + Guid.NewGuid().ToString("N"),
        ["BILLING_SILO_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
        ["BILLING_GATEWAY_PORT"] = Ports.Free().ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public void WhenNothingIsConfigured_ThenEveryDefaultIsInRange()
    {
        Assert.Empty(OptionRanges.Problems(new CallLimits(), CallLimits.Section));
        Assert.Empty(OptionRanges.Problems(new CallOptions(), CallLimits.Section));
        Assert.Empty(OptionRanges.Problems(new LedgerOptions(), "Billing:Ledger"));
        Assert.Empty(OptionRanges.Problems(new SmtpOptions(), "Billing:Smtp"));
        Assert.Empty(OptionRanges.Problems(new WebhookOptions(), "Billing:Webhooks"));
        Assert.Empty(OptionRanges.Problems(new InvoiceOptions(), "Billing:Invoices"));
        Assert.Empty(OptionRanges.Problems(new WebSessionOptions(), "Billing:Sessions"));
    }

    [Fact]
    public void WhenALimitIsOutOfRange_ThenTheProblemNamesTheFullSetting()
    {
        var problems = OptionRanges.Problems(new CallOptions { RouteShards = 0, ChunkSeconds = 300 }, CallLimits.Section);
        var problem = Assert.Single(problems);
        Assert.StartsWith("Billing:Calls:RouteShards: ", problem, StringComparison.Ordinal);
        Assert.Contains("1 a 4096", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Billing:Calls:RouteShards", "0")]
    [InlineData("Billing:Calls:MaxDurationSeconds", "-1")]
    [InlineData("Billing:Sessions:RecheckSeconds", "99999")]
    public async Task WhenTheApiHostStartsWithABadValue_ThenItStopsNamingTheSetting(string key, string value)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var config = Base(TestDatabase.ServerConnectionString);
        config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Ports.Free()}"));
        builder.AddBillingApi();
        await using var app = builder.Build();
        app.UseBillingApi();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(key + ": ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Billing:Calls:RegistrationTtlSeconds", "0")]
    [InlineData("Billing:Calls:ChunkSeconds", "0")]
    [InlineData("Billing:Ledger:Writers", "0")]
    [InlineData("Billing:Smtp:Port", "70000")]
    [InlineData("Billing:Webhooks:MaxAttempts", "0")]
    public async Task WhenASiloStartsWithABadValue_ThenItStopsNamingTheSetting(string key, string value)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        var config = Base(TestDatabase.ServerConnectionString);
        config[key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        var settings = BillingSettings.From(builder.Configuration);
        builder.UseOrleans(silo => silo.AddBillingSilo(settings, builder.Configuration));
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(key + ": ", e.Message, StringComparison.Ordinal);
    }
}
