using System.Text;
using Billing.Api.Apis;
using Billing.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Billing.Tests.FaultIsolation;

/// <summary>Issue 15, item 6: <c>/health/ready</c> is anonymous, so it never shows exception text (hosts, ports, server messages).</summary>
public sealed class HealthDisclosureTests
{
    [Fact]
    public async Task WhenTheDatabaseIsUnreachable_ThenTheReadinessDetailCarriesNoExceptionText()
    {
        var port = Ports.Free();
        await using var db = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=x;Password=y;Database=z;Timeout=2");
        var check = new DatabaseHealthCheck(db, NullLogger<DatabaseHealthCheck>.Instance);
        var result = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("PostgreSQL não responde.", result.Description);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenACheckThrows_ThenTheAnswerShowsAFixedSentenceAndNotTheExceptionMessage()
    {
        var report = new HealthReport(new Dictionary<string, HealthReportEntry>
        {
            ["database"] = new(HealthStatus.Unhealthy, "Npgsql: password authentication failed for user \"billing\" at db.internal:5432", TimeSpan.Zero,
                new InvalidOperationException("password authentication failed for user \"billing\" at db.internal:5432"), null),
        }, TimeSpan.Zero);
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        await HealthApi.Write(http, report);
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("unhealthy", text, StringComparison.Ordinal);
        Assert.DoesNotContain("db.internal", text, StringComparison.Ordinal);
        Assert.DoesNotContain("password", text, StringComparison.Ordinal);
    }
}
