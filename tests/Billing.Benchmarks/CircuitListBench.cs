using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;

namespace Billing.Benchmarks;

/// <summary>Issue 5: with 100k circuits in the read model, how fast does a filtered list page answer over HTTP?</summary>
public static class CircuitListBench
{
    public static async Task<int> RunAsync(BenchEnvironment env, int rows)
    {
        ArgumentNullException.ThrowIfNull(env);
        await using (var cmd = env.Db.CreateCommand(
            """
            INSERT INTO circuits (account, name, customer_id, plan_id, area_code, central, billing_mode, credit_limit, status,
                                  balance, created_at, updated_at, search)
            SELECT (700000000 + g)::text, 'Cliente ' || (g % 5000) || ' Ltda', 1 + g % 5000, 'bench', '11',
                   'SPX-SW-' || (g % 20), 'prepaid', 0, CASE WHEN g % 10 = 0 THEN 'bloqueado' ELSE 'ativo' END,
                   (g % 1000)::numeric / 10, now(), now(),
                   lower((700000000 + g)::text || ' cliente ' || (g % 5000) || ' ltda spx-sw-' || (g % 20) || ' bench')
            FROM generate_series(1, @n) g
            ON CONFLICT DO NOTHING;
            ANALYZE circuits;
            """))
        {
            cmd.Parameters.AddWithValue("n", rows);
            await cmd.ExecuteNonQueryAsync();
        }
        var admin = env.AdminHttp;
        var queries = new[]
        {
            "/api/circuits?page=1&pageSize=50",
            "/api/circuits?search=cliente%2042&pageSize=50",
            "/api/circuits?status=bloqueado&page=3&pageSize=50",
            "/api/circuits?customerId=42",
            "/api/circuits?search=7000123&pageSize=50",
            "/api/circuits?page=1500&pageSize=50",
        };
        Console.WriteLine($"{rows} circuitos no read model");
        Console.WriteLine($"{"consulta",-55} {"total",8} {"p50 ms",8} {"p99 ms",8}");
        var report = new List<object>();
        foreach (var q in queries)
        {
            var h = new LongHistogram(TimeStamp.Seconds(10), 3);
            long total = 0;
            for (var i = 0; i < 60; i++)
            {
                var t = Stopwatch.GetTimestamp();
                var r = await admin.GetAsync(q);
                r.EnsureSuccessStatusCode();
                var body = await r.Content.ReadFromJsonAsync<JsonElement>();
                if (i >= 10) h.RecordValue(Stopwatch.GetTimestamp() - t); // first 10 warm up
                total = body.GetProperty("total").GetInt64();
            }
            var p50 = h.GetValueAtPercentile(50) * 1000.0 / Stopwatch.Frequency;
            var p99 = h.GetValueAtPercentile(99) * 1000.0 / Stopwatch.Frequency;
            Console.WriteLine($"{q,-55} {total,8} {p50,8:F2} {p99,8:F2}");
            report.Add(new { query = q, total, p50, p99 });
        }
        Directory.CreateDirectory("bench-results");
        var file = Path.Combine("bench-results", $"circuit-list-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new { rows, report }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"resultado em {file}");
        return 0;
    }
}
