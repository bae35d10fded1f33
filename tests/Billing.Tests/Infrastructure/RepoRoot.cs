namespace Billing.Tests.Infrastructure;

/// <summary>The repository checkout the tests run from (the folder holding Billing.sln) and its source files.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Billing.sln"))) return dir.FullName;
        throw new InvalidOperationException("Billing.sln não encontrado acima de " + AppContext.BaseDirectory);
    }

    /// <summary>The C# files of one project folder (e.g. <c>api</c>), build output left out, in a stable order.</summary>
    public static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(System.IO.Path.Combine(Path, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
