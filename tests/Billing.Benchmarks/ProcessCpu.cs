using System.Globalization;

namespace Billing.Benchmarks;

/// <summary>
/// CPU seconds used so far by process trees (Linux /proc; 0 elsewhere): the bench's own PostgreSQL (its postmaster and
/// backends, not another PostgreSQL on the machine), a Kamailio and its forked workers, SIPp.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>The postmaster of the PostgreSQL the bench runs against (BILLING_BENCH_DB), when it is local; else 0.</summary>
    public static int PostgresRoot { get; private set; }

    public static void FindPostgres(string connectionString)
    {
        try
        {
            using var conn = new Npgsql.NpgsqlConnection(connectionString);
            conn.Open();
            using var cmd = new Npgsql.NpgsqlCommand("SHOW data_directory", conn);
            var pidFile = Path.Combine((string)cmd.ExecuteScalar()!, "postmaster.pid");
            PostgresRoot = File.Exists(pidFile) ? int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture) : 0;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or UnauthorizedAccessException or FormatException)
        {
            PostgresRoot = 0; // a remote or locked-down server: its CPU is not counted
        }
    }

    public static double Postgres() => PostgresRoot == 0 ? 0 : Tree(PostgresRoot);

    /// <summary>CPU seconds of <paramref name="root"/> and every process descending from it.</summary>
    public static double Tree(params int[] roots)
    {
        if (!Directory.Exists("/proc")) return 0;
        var procs = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0) continue;
                var fields = stat[(close + 2)..].Split(' ');
                procs[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var inTree = new HashSet<int>(roots.Where(procs.ContainsKey));
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, p) in procs)
                if (!inTree.Contains(pid) && inTree.Contains(p.Parent)) grew = inTree.Add(pid) || grew;
        }
        return inTree.Sum(pid => procs[pid].Ticks) / 100.0; // USER_HZ
    }
}
