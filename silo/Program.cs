using Billing.GrainInterfaces.Hosting;
using Billing.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
var settings = BillingSettings.From(builder.Configuration);

using (var loggerFactory = LoggerFactory.Create(b => b.AddConsole()))
{
    await Migrator.ApplyAsync(settings.Database, loggerFactory.CreateLogger("Billing.Migrations"));
}

builder.UseOrleans(silo => silo.AddBillingSilo(settings, builder.Configuration));

using var host = builder.Build();
await host.RunAsync();

/// <summary>
/// Declared so ASP.NET Core's generator (the silo references it for the dashboard and the metrics listener)
/// does not make this Program public next to the API's public Program.
/// </summary>
internal sealed partial class Program;
