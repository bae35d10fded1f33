using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Architecture;

/// <summary>
/// The layering rules of DESIGN.md ("One owner per table"): the API host writes no SQL (every table is written by the
/// grain that owns it), Billing.Api does not reference Billing.Grains, and rating / numbering use no Orleans type.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = RepoRoot.Path;

    private static IEnumerable<string> SourceFiles(string project) => RepoRoot.SourceFiles(project);

    // ------------------------------------------------------------------ no writing SQL in api/

    /// <summary>
    /// Statements that change data or schema, or lock rows to change them: INSERT / UPDATE … SET / DELETE / COPY / MERGE /
    /// TRUNCATE / ALTER / CREATE / DROP / GRANT, SELECT … FOR UPDATE / FOR SHARE, advisory locks and sequence bumps.
    /// </summary>
    [GeneratedRegex(
        @"\bINSERT\s+INTO\b|\bUPDATE\s+[a-z_""][\w"".]*(\s+(AS\s+)?[a-z_]\w*)?\s+SET\b|\bDELETE\s+FROM\b|\bCOPY\s+[a-z_""][\w"".]*\s*(\(|FROM\b|TO\b)|\bMERGE\s+INTO\b" +
        @"|\bTRUNCATE\b|\bALTER\s+(TABLE|SEQUENCE|INDEX|TYPE|FUNCTION|SCHEMA|VIEW)\b|\bCREATE\s+(OR\s+REPLACE\s+|UNIQUE\s+|TEMP(ORARY)?\s+)*(TABLE|INDEX|SEQUENCE|FUNCTION|PROCEDURE|VIEW|TRIGGER|SCHEMA|EXTENSION|TYPE)\b" +
        @"|\bDROP\s+(TABLE|INDEX|SEQUENCE|FUNCTION|PROCEDURE|VIEW|TRIGGER|SCHEMA|EXTENSION|TYPE)\b|\bGRANT\s+\w+\s+ON\b" +
        @"|\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b|\bpg_advisory(_xact)?_lock\b|\bnextval\s*\(|\bsetval\s*\(",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WritingSql();

    /// <summary>
    /// The contents of the string literals of C# source (regular, verbatim, raw, interpolated), comments and character
    /// literals left out. Interpolation holes are kept as text (they may hold SQL fragments too).
    /// </summary>
    internal static List<(int Line, string Text)> StringLiterals(string code)
    {
        var found = new List<(int, string)>();
        var i = 0;
        var line = 1;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\n') { line++; i++; continue; }
            if (c == '/' && i + 1 < code.Length && code[i + 1] == '/')
            {
                while (i < code.Length && code[i] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < code.Length && code[i + 1] == '*')
            {
                var end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? code.Length : end + 2;
                line += code.AsSpan(i, end - i).Count('\n');
                i = end;
                continue;
            }
            if (c == '\'')
            {
                // a character literal: '"', '\'', '\\', 'x'
                var end = i + 1;
                if (end < code.Length && code[end] == '\\') end++;
                end = code.IndexOf('\'', end + 1);
                i = end < 0 ? code.Length : end + 1;
                continue;
            }
            if (c != '"') { i++; continue; }

            var startLine = line;
            var prefix = i;
            while (prefix > 0 && code[prefix - 1] is '$' or '@') prefix--;
            var verbatim = code.AsSpan(prefix, i - prefix).Contains('@');
            var quotes = 0;
            while (i + quotes < code.Length && code[i + quotes] == '"') quotes++;
            var text = new StringBuilder();
            if (quotes >= 3)
            {
                // raw string literal: ends at the same number of quotes
                var close = new string('"', quotes);
                var end = code.IndexOf(close, i + quotes, StringComparison.Ordinal);
                if (end < 0) end = code.Length;
                text.Append(code, i + quotes, end - (i + quotes));
                i = Math.Min(code.Length, end + quotes);
            }
            else if (quotes == 2)
            {
                i += 2; // the empty string
            }
            else
            {
                i++;
                while (i < code.Length)
                {
                    var d = code[i];
                    if (verbatim && d == '"' && i + 1 < code.Length && code[i + 1] == '"') { text.Append('"'); i += 2; continue; }
                    if (!verbatim && d == '\\' && i + 1 < code.Length) { text.Append(code[i + 1]); i += 2; continue; }
                    if (d == '"' || (!verbatim && d == '\n')) { i++; break; }
                    text.Append(d);
                    i++;
                }
            }
            line += text.ToString().Count(ch => ch == '\n');
            found.Add((startLine, text.ToString()));
        }
        return found;
    }

    /// <summary>Writing SQL found in one C# source: (line, statement start) per literal that holds some.</summary>
    internal static List<string> WritingSqlIn(string code) =>
        [.. StringLiterals(code).Select(l => (l.Line, Match: WritingSql().Match(l.Text))).Where(x => x.Match.Success)
            .Select(x => $"linha {x.Line}: {x.Match.Value}")];

    [Fact]
    public void WhenTheApiHostIsScanned_ThenNoSourceFileHoldsAWritingSqlStatement()
    {
        var offenders = new List<string>();
        var scanned = 0;
        foreach (var file in SourceFiles("api"))
        {
            scanned++;
            foreach (var hit in WritingSqlIn(File.ReadAllText(file)))
                offenders.Add($"{Path.GetRelativePath(Root, file)} {hit}");
        }
        Assert.True(scanned > 50, $"só {scanned} arquivos .cs em api/: a varredura não achou o projeto");
        Assert.True(offenders.Count == 0,
            "SQL que escreve no host da API (mova a escrita para o grain dono da tabela):\n" + string.Join('\n', offenders));
    }

    [Theory]
    [InlineData("var sql = \"INSERT INTO dids (number) VALUES (@n)\";", true)]
    [InlineData("var sql = @\"update customers\n set reseller_id = @r where id = @c\";", true)]
    [InlineData("var sql = \"\"\"\n    UPDATE billing_records b SET status = 'CANCELADO'\n    \"\"\";", true)]
    [InlineData("var sql = $\"\"\"\n    DELETE FROM {table} WHERE id = @id\n    \"\"\";", true)]
    [InlineData("db.CreateCommand(\"SELECT id FROM billing_records WHERE id = @id FOR UPDATE\");", true)]
    [InlineData("db.CreateCommand(\"COPY cdr_rejected FROM STDIN (FORMAT binary)\");", true)]
    [InlineData("db.CreateCommand(\"SELECT pg_advisory_xact_lock(1)\");", true)]
    [InlineData("db.CreateCommand(\"CREATE TABLE x (id int)\");", true)]
    [InlineData("db.CreateCommand(\"SELECT id, nome FROM customers WHERE id = ANY(@ids)\");", false)]
    [InlineData("// INSERT INTO dids (number) VALUES (@n)\nvar x = 1;", false)]
    [InlineData("/* UPDATE customers SET a = 1 */ var x = \"Atualize a lista de pendências.\";", false)]
    [InlineData("var c = '\"'; var m = \"Insira o valor; delete o anexo antes.\";", false)]
    public void WhenTheSqlDetectorReadsASnippet_ThenItFindsWritingStatementsOnlyInStringLiterals(string code, bool writes) =>
        Assert.Equal(writes, WritingSqlIn(code).Count > 0);

    // ------------------------------------------------------------------ Billing.Api does not reference Billing.Grains

    // ------------------------------------------------------------------ pages go through the application services

    /// <summary>A call of a REST handler class's method (<c>CircuitsApi.Create(</c>), or SQL text, or a data source.</summary>
    [GeneratedRegex(@"\b[A-Z]\w*Api\.[A-Z]\w*\s*\(|\bNpgsql(DataSource|Connection|Command)\b", RegexOptions.CultureInvariant)]
    private static partial Regex PageBypass();

    [GeneratedRegex(@"\bSELECT\b[\s\S]*\bFROM\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadingSql();

    /// <summary>
    /// Razor page models call the application services and query classes (api/Application) that the REST handlers
    /// call too: never a handler (unwrapping its IResult), never SQL of their own.
    /// </summary>
    [Fact]
    public void WhenThePageModelsAreScanned_ThenNoneCallsARestHandlerOrHoldsSql()
    {
        var offenders = new List<string>();
        var pages = SourceFiles("api").Where(f => f.Replace('\\', '/').Contains("/Pages/", StringComparison.Ordinal)).ToList();
        foreach (var file in pages)
        {
            var code = File.ReadAllText(file);
            var lines = code.Split('\n');
            for (var i = 0; i < lines.Length; i++)
                if (!lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal) && PageBypass().Match(lines[i]) is { Success: true } m)
                    offenders.Add($"{Path.GetRelativePath(Root, file)}:{i + 1} {m.Value}");
            foreach (var (line, text) in StringLiterals(code))
                if (ReadingSql().IsMatch(text))
                    offenders.Add($"{Path.GetRelativePath(Root, file)}:{line} SQL");
        }
        Assert.True(pages.Count > 40, $"só {pages.Count} page models: a varredura não achou api/Pages");
        Assert.True(offenders.Count == 0, "Page models que chamam um handler REST ou têm SQL próprio:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void WhenAPageCallsAHandler_ThenThePageRuleSeesIt()
    {
        // the rule itself: a handler call, a data source and a SELECT are seen; a service call is not
        Assert.Matches(PageBypass(), "var r = await CircuitsApi.Create(body, cluster, HttpContext);");
        Assert.Matches(PageBypass(), "public sealed class X(NpgsqlDataSource db) : AdminPageModel");
        Assert.Matches(ReadingSql(), "SELECT id, nome FROM customers WHERE id = ANY(@ids)");
        Assert.DoesNotMatch(PageBypass(), "var r = await circuits.Create(body, actor, ct);");
        Assert.DoesNotMatch(PageBypass(), "PageSize = CustomersApi.DefaultPageSize;");
    }

    [Fact]
    public void WhenTheApiProjectIsRead_ThenItReferencesNeitherBillingGrainsNorTheSilo()
    {
        var project = XDocument.Load(Path.Combine(Root, "api", "Billing.Api.csproj"));
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "ProjectReference" or "Reference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToList();
        Assert.Contains(references, r => r.Contains("Billing.GrainInterfaces", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.Contains("Billing.Grains.csproj", StringComparison.OrdinalIgnoreCase)
                                               || r.Contains("Billing.Silo", StringComparison.OrdinalIgnoreCase)
                                               || string.Equals(Path.GetFileNameWithoutExtension(r), "Billing.Grains", StringComparison.OrdinalIgnoreCase));

        var api = typeof(Billing.Api.Hosting.ApiSetup).Assembly;
        var names = api.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.Contains("Billing.GrainInterfaces", names);
        Assert.DoesNotContain("Billing.Grains", names);
        Assert.DoesNotContain("Billing.Silo", names);
        // nor through the contracts
        var contracts = typeof(Billing.GrainInterfaces.PendingBilling.IPendingBillingGrain).Assembly.GetReferencedAssemblies().Select(a => a.Name);
        Assert.DoesNotContain("Billing.Grains", contracts);
    }

    // ------------------------------------------------------------------ rating and numbering use no Orleans type

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Types, fields and methods a method body refers to (call, newobj, ldfld, ldtoken, castclass…), read from its IL.</summary>
    private static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[i++]));
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    i += 4;
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                    }
                    if (member is not null) yield return member;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: i += 1; break;
                case OperandType.InlineVar: i += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: i += 8; break;
                case OperandType.InlineSwitch: i += 4 + (4 * BitConverter.ToInt32(il, i)); break;
                default: i += 4; break;
            }
        }
    }

    private static IEnumerable<Type> TypesIn(Type? t)
    {
        if (t is null) yield break;
        yield return t;
        if (t.HasElementType) foreach (var e in TypesIn(t.GetElementType())) yield return e;
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
            foreach (var a in t.GetGenericArguments()) foreach (var x in TypesIn(a)) yield return x;
    }

    private static bool IsOrleans(Type t) => TypesIn(t).Any(x => (x.Assembly.GetName().Name ?? "").StartsWith("Orleans", StringComparison.Ordinal)
                                                                 || (x.Namespace ?? "").StartsWith("Orleans", StringComparison.Ordinal));

    /// <summary>Every Orleans type a type uses: base, interfaces, attributes, members' signatures and method bodies.</summary>
    internal static SortedSet<string> OrleansUses(Type type)
    {
        var uses = new SortedSet<string>(StringComparer.Ordinal);
        void Check(Type? t, string where)
        {
            if (t is not null && IsOrleans(t)) uses.Add($"{type.FullName}: {where} {t.FullName}");
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Check(type.BaseType, "herda");
        foreach (var i in type.GetInterfaces()) Check(i, "implementa");
        foreach (var a in type.GetCustomAttributesData()) Check(a.AttributeType, "atributo");
        foreach (var f in type.GetFields(all)) Check(f.FieldType, "campo " + f.Name);
        foreach (var p in type.GetProperties(all)) Check(p.PropertyType, "propriedade " + p.Name);
        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (m is MethodInfo mi) Check(mi.ReturnType, "retorno de " + m.Name);
            foreach (var p in m.GetParameters()) Check(p.ParameterType, "parâmetro de " + m.Name);
            foreach (var a in m.GetCustomAttributesData()) Check(a.AttributeType, "atributo de " + m.Name);
            foreach (var r in BodyReferences(m))
                Check(r as Type ?? r.DeclaringType, "corpo de " + m.Name + " usa");
        }
        return uses;
    }

    [Fact]
    public void WhenRatingAndNumberingAreInspected_ThenNoTypeUsesOrleans()
    {
        var grains = typeof(Billing.Grains.Rating.TariffCalculator).Assembly;
        var types = grains.GetTypes()
            .Where(t => t.Namespace is "Billing.Grains.Rating" or "Billing.Grains.Numbering")
            .ToList();
        Assert.Contains(types, t => t.Name == "NumberClassifier");
        Assert.Contains(types, t => t.Name == "TariffCalculator");
        var uses = types.SelectMany(OrleansUses).ToList();
        Assert.True(uses.Count == 0, "Rating/Numbering usam Orleans:\n" + string.Join('\n', uses));
    }

    [Fact]
    public void WhenAGrainIsInspected_ThenTheOrleansDetectorSeesItsOrleansTypes()
    {
        // the detector itself: a grain class uses Orleans (base type, body calls), a pure domain class does not
        Assert.NotEmpty(OrleansUses(typeof(Billing.Grains.PendingBilling.PendingBillingGrain)));
        Assert.NotEmpty(OrleansUses(typeof(Billing.Grains.Resellers.ResellerStatementsGrain)));
        Assert.Empty(OrleansUses(typeof(Billing.Grains.Numbering.NumberClassifier)));
    }
}
