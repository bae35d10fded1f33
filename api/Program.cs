using Billing.Api.Apis;
using Billing.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddBillingApi();
var app = builder.Build();
app.UseBillingApi();
await app.RunAsync();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
