using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using Billing.Tests.Infrastructure;

namespace Billing.Tests.Deploy;

/// <summary>
/// No container engine or Kubernetes runs on the development machines: these tests check what can be checked
/// without one. Every YAML under deploy/ parses; every BILLING_* name the artefacts use is one the code reads;
/// the variables the processes need are set for them; probes, budgets and requests are there; Dockerfiles
/// are multi-stage, non-root and copy paths that exist; membership keys are real Orleans option names.
/// </summary>
public sealed partial class DeployArtefactsTests
{
    private static readonly string Root = RepoRoot.Path;

    private static string Deploy(string relative) => Path.Combine(Root, "deploy", relative);

    [GeneratedRegex(@"""(BILLING_[A-Z0-9_]+)""")]
    private static partial Regex CodeEnvName();

    [GeneratedRegex(@"BILLING_[A-Z0-9_]+")]
    private static partial Regex EnvToken();

    /// <summary>BILLING_* names read by the product code (string literals in the C# of api, silo, grains, grain-interfaces).</summary>
    private static HashSet<string> NamesTheCodeReads()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in new[] { "api", "silo", "grains", "grain-interfaces" })
            foreach (var file in RepoRoot.SourceFiles(project))
                foreach (Match m in CodeEnvName().Matches(File.ReadAllText(file))) names.Add(m.Groups[1].Value);
        return names;
    }

    private static IEnumerable<string> YamlFiles() =>
        Directory.EnumerateFiles(Path.Combine(Root, "deploy"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Every document of a YAML file as plain dictionaries/lists (merge keys &lt;&lt; resolved).</summary>
    private static List<Dictionary<object, object>> Documents(string path)
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StringReader(File.ReadAllText(path));
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var docs = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
            if (deserializer.Deserialize<object>(parser) is Dictionary<object, object> doc) docs.Add(doc);
        return docs;
    }

    private static Dictionary<object, object> Map(object? node, string what) =>
        node as Dictionary<object, object> ?? throw new Xunit.Sdk.XunitException($"{what}: esperado um mapa");

    private static List<object> List(object? node, string what) =>
        node as List<object> ?? throw new Xunit.Sdk.XunitException($"{what}: esperada uma lista");

    private static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not Dictionary<object, object> map || !map.TryGetValue(key, out node)) return null;
        }
        return node;
    }

    private static string? Str(object? node, params string[] path) => At(node, path) as string;

    [Fact]
    public void WhenEveryDeployYamlIsParsed_ThenEachHasAtLeastOneDocument()
    {
        var files = YamlFiles().ToList();
        Assert.Contains(files, f => f.EndsWith("compose.yaml", StringComparison.Ordinal));
        Assert.True(files.Count(f => f.Contains($"k8s{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) >= 5, string.Join(", ", files));
        foreach (var file in files)
            Assert.True(Documents(file).Count > 0, $"{file} não tem documento YAML");
    }

    [Fact]
    public void WhenTheArtefactsNameABillingVariable_ThenTheCodeReadsIt()
    {
        var code = NamesTheCodeReads();
        Assert.Contains("BILLING_DB", code);
        var artefacts = YamlFiles().Concat(Directory.EnumerateFiles(Path.Combine(Root, "deploy"), "*.Dockerfile"));
        foreach (var file in artefacts)
            foreach (Match m in EnvToken().Matches(File.ReadAllText(file)))
                Assert.True(code.Contains(m.Value), $"{Path.GetFileName(file)} usa {m.Value}, que o código não lê");
    }

    [Fact]
    public void WhenTheCodeReadsABillingVariable_ThenTheReadmeDocumentsIt()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        foreach (var name in NamesTheCodeReads())
            Assert.True(readme.Contains("`" + name, StringComparison.Ordinal), $"README não documenta {name}");
    }

    /// <summary>Billing__A__B variables bind configuration keys Billing:A:B: they must be keys the code binds.</summary>
    [Fact]
    public void WhenTheArtefactsSetBillingConfigurationKeys_ThenTheyAreRealKeys()
    {
        var membership = typeof(ClusterMembershipOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var found = 0;
        foreach (var file in YamlFiles())
            foreach (Match m in Regex.Matches(File.ReadAllText(file), @"\bBilling__([A-Za-z]+)__([A-Za-z]+)\b"))
            {
                found++;
                Assert.Equal("Membership", m.Groups[1].Value);
                Assert.True(membership.Contains(m.Groups[2].Value), $"{Path.GetFileName(file)}: {m.Value} não é uma opção de ClusterMembershipOptions");
            }
        Assert.True(found > 0);
    }

    [Fact]
    public void WhenSiloAppsettingsTuneMembership_ThenEveryKeyIsAnOrleansOptionAndBinds()
    {
        var path = Path.Combine(Root, "silo", "appsettings.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var section = json.RootElement.GetProperty("Billing").GetProperty("Membership");
        var names = typeof(ClusterMembershipOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var p in section.EnumerateObject())
            Assert.True(names.Contains(p.Name), $"Billing:Membership:{p.Name} não existe em ClusterMembershipOptions do Orleans");

        var config = new ConfigurationBuilder().AddJsonFile(path).Build();
        var bound = new ClusterMembershipOptions();
        config.GetSection("Billing:Membership").Bind(bound);
        Assert.Equal(TimeSpan.FromSeconds(2), bound.ProbeTimeout);
        Assert.Equal(3, bound.NumMissedProbesLimit);
        Assert.Equal(2, bound.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(5), bound.TableRefreshTimeout);
        Assert.True(bound.ProbeTimeout * bound.NumMissedProbesLimit <= TimeSpan.FromSeconds(10), "um silo morto deve ser declarado em poucos segundos");
    }

    private static readonly string[] SiloNeeds = ["BILLING_DB", "BILLING_ADVERTISED_IP", "BILLING_SILO_NAME"];
    private static readonly string[] ApiNeeds = ["BILLING_DB", "BILLING_ADMIN_KEY", "BILLING_SWITCH_KEY"];

    [Fact]
    public void WhenComposeRunsTwoSilosAndTheApi_ThenEachGetsTheVariablesItNeeds()
    {
        var doc = Assert.Single(Documents(Deploy("compose.yaml")));
        var services = Map(doc["services"], "services");
        Assert.Contains("postgres", services.Keys);
        var silos = services.Keys.Cast<string>().Where(k => k.StartsWith("silo", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, silos.Count);
        var advertised = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in silos.Append("api"))
        {
            var service = services[name];
            var env = Map(At(service, "environment"), name + ".environment");
            var dockerfile = Str(service, "build", "dockerfile");
            Assert.NotNull(dockerfile);
            Assert.True(File.Exists(Path.Combine(Root, dockerfile!)), dockerfile);
            foreach (var need in name == "api" ? ApiNeeds : SiloNeeds)
                Assert.True(env.ContainsKey(need), $"compose: {name} sem {need}");
            if (name != "api")
            {
                Assert.Equal("deploy/silo.Dockerfile", dockerfile);
                Assert.True(advertised.Add((string)env["BILLING_ADVERTISED_IP"]), "dois silos com o mesmo endereço");
                var ip = Str(service, "networks", "billing", "ipv4_address");
                Assert.Equal(ip, env["BILLING_ADVERTISED_IP"]);
            }
        }
    }

    private sealed record Container(string Workload, Dictionary<object, object> Spec, HashSet<string> Env);

    private static List<Dictionary<object, object>> K8sObjects() =>
        Directory.EnumerateFiles(Deploy("k8s"), "*.yaml").SelectMany(Documents).ToList();

    private static List<Container> K8sContainers(List<Dictionary<object, object>> objects)
    {
        Dictionary<object, object> Data(string kind, string name)
        {
            var o = objects.Single(x => Str(x, "kind") == kind && Str(x, "metadata", "name") == name);
            return Map(At(o, kind == "Secret" ? "stringData" : "data"), $"{kind}/{name}");
        }
        var result = new List<Container>();
        foreach (var deployment in objects.Where(o => Str(o, "kind") is "Deployment" or "StatefulSet"))
        {
            var workload = Str(deployment, "metadata", "name")!;
            foreach (var c in List(At(deployment, "spec", "template", "spec", "containers"), workload + " containers"))
            {
                var container = Map(c, workload);
                var env = new HashSet<string>(StringComparer.Ordinal);
                foreach (var e in At(container, "env") as List<object> ?? [])
                {
                    env.Add(Str(e, "name")!);
                    foreach (var (kind, refKey) in new[] { ("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef") })
                        if (At(e, "valueFrom", refKey) is { } r)
                            Assert.True(Data(kind, Str(r, "name")!).ContainsKey(Str(r, "key")!), $"{workload}: {Str(e, "name")} aponta para chave inexistente");
                }
                foreach (var from in At(container, "envFrom") as List<object> ?? [])
                {
                    if (Str(from, "configMapRef", "name") is { } cm) env.UnionWith(Data("ConfigMap", cm).Keys.Cast<string>());
                    if (Str(from, "secretRef", "name") is { } s) env.UnionWith(Data("Secret", s).Keys.Cast<string>());
                }
                result.Add(new Container(workload, container, env));
            }
        }
        return result;
    }

    [Fact]
    public void WhenKubernetesRunsSilosAndApi_ThenEnvProbesRequestsAndBudgetsAreThere()
    {
        var objects = K8sObjects();
        var containers = K8sContainers(objects);
        var silo = Assert.Single(containers, c => c.Workload == "billing-silo");
        var api = Assert.Single(containers, c => c.Workload == "billing-api");
        foreach (var need in SiloNeeds) Assert.Contains(need, silo.Env);
        foreach (var need in ApiNeeds) Assert.Contains(need, api.Env);

        var siloEnv = List(silo.Spec["env"], "silo env");
        Assert.Contains(siloEnv, e => Str(e, "name") == "BILLING_ADVERTISED_IP" && Str(e, "valueFrom", "fieldRef", "fieldPath") == "status.podIP");
        Assert.Contains(siloEnv, e => Str(e, "name") == "BILLING_SILO_NAME" && Str(e, "valueFrom", "fieldRef", "fieldPath") == "metadata.name");

        Assert.Equal("/health/ready", Str(api.Spec, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", Str(api.Spec, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", Str(silo.Spec, "livenessProbe", "httpGet", "path"));
        Assert.NotNull(At(silo.Spec, "readinessProbe"));
        Assert.Contains("BILLING_METRICS_PORT", silo.Env); // the silo's liveness endpoint lives on the metrics listener
        foreach (var c in containers)
        {
            Assert.NotNull(Str(c.Spec, "resources", "requests", "cpu"));
            Assert.NotNull(Str(c.Spec, "resources", "requests", "memory"));
        }

        foreach (var workload in new[] { "billing-silo", "billing-api" })
        {
            var labels = Map(At(objects.Single(o => Str(o, "kind") == "Deployment" && Str(o, "metadata", "name") == workload), "spec", "template", "metadata", "labels"), workload);
            Assert.Contains(objects, o => Str(o, "kind") == "PodDisruptionBudget"
                && Map(At(o, "spec", "selector", "matchLabels"), "pdb").All(kv => labels.TryGetValue(kv.Key, out var v) && Equals(v, kv.Value)));
        }
        var service = Assert.Single(objects, o => Str(o, "kind") == "Service");
        Assert.Equal("billing-api", Str(service, "spec", "selector", "app.kubernetes.io/name"));
        Assert.Contains(objects, o => Str(o, "kind") == "ConfigMap");
        Assert.Contains(objects, o => Str(o, "kind") == "Secret");

        var kustomization = objects.Single(o => Str(o, "kind") == "Kustomization");
        foreach (var file in List(kustomization["resources"], "kustomization resources").Cast<string>())
            Assert.True(File.Exists(Deploy(Path.Combine("k8s", file))), "kustomization: falta " + file);
    }

    [Theory]
    [InlineData("silo.Dockerfile")]
    [InlineData("api.Dockerfile")]
    public void WhenADockerfileIsRead_ThenItIsMultiStageNonRootAndCopiesPathsThatExist(string name)
    {
        var lines = File.ReadAllLines(Deploy(name)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.True(lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "multi-stage: pelo menos dois FROM");
        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.True(lines.FindLastIndex(l => l.StartsWith("USER ", StringComparison.Ordinal)) > lines.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal)), "USER no estágio final");
        foreach (var copy in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from=", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[1..^1])
                Assert.True(File.Exists(Path.Combine(Root, source)) || Directory.Exists(Path.Combine(Root, source)), $"{name}: COPY {source} não existe");
        }
        Assert.Contains(lines, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal));
    }
}
