using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.Tests.Unit.NodeAgent.Volumes;

namespace Granary.Tests.Unit.NodeAgent.Pods;

/// <summary>The kubelet's environment: envFrom, then env, later wins; kube's messages for what is missing.</summary>
public sealed class ContainerEnvironmentTests
{
    private static readonly ImmutableSortedDictionary<string, Quantity> Allocatable =
        ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity("2")).Add("memory", new Quantity("4Gi"));

    private readonly ConfigLookup _config = new ConfigLookup()
        .WithConfigMap("game", ("LIVES", "3"), ("MODE", "hard"), ("bad key", "x"), ("1st", "y"))
        .WithSecret("db", ("password", "s3cret"), ("USER", "app"));

    private static Container Container(ImmutableList<EnvVar>? env = null, ImmutableList<EnvFromSource>? envFrom = null) =>
        new() { Name = "main", Image = "local/busybox:1", Env = env, EnvFrom = envFrom, Resources = new ResourceRequirements
        {
            Limits = ImmutableSortedDictionary<string, Quantity>.Empty.Add("memory", new Quantity("64Mi")),
            Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity("250m")),
        } };

    private ResolvedEnvironment Resolve(Container container) =>
        ContainerEnvironment.Resolve(new Pod { Metadata = new ObjectMeta { Name = "p", Namespace = "default", Uid = "u" }, Spec = new PodSpec { Containers = [container] } },
            container, "127.1.1.2", "127.0.0.1", _config, Allocatable);

    private static EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    private static EnvVar FromConfigMap(string name, string configMap, string key, bool? optional = null) =>
        new() { Name = name, ValueFrom = new EnvVarSource { ConfigMapKeyRef = new ConfigMapKeySelector { Name = configMap, Key = key, Optional = optional } } };

    private static EnvVar FromSecret(string name, string secret, string key, bool? optional = null) =>
        new() { Name = name, ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = secret, Key = key, Optional = optional } } };

    [Fact]
    public void Resolve_EnvFromThenEnv_LaterWins_InOrder()
    {
        var env = Resolve(Container(
            env: [Value("MODE", "easy"), FromSecret("DB_PASSWORD", "db", "password"), FromConfigMap("L", "game", "LIVES")],
            envFrom: [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "game" } }, new EnvFromSource { Prefix = "DB_", SecretRef = new SecretEnvSource { Name = "db" } }]));

        Assert.Equal(["POD_IP", "LIVES", "MODE", "DB_USER", "DB_password", "DB_PASSWORD", "L"], env.Variables.Keys);
        Assert.Equal(("easy", "s3cret", "3", "app"), (env.Variables["MODE"], env.Variables["DB_PASSWORD"], env.Variables["L"], env.Variables["DB_USER"]));
    }

    [Fact]
    public void Resolve_EnvFromKeysThatAreNotNames_AreSkippedAndReported()
    {
        var env = Resolve(Container(envFrom: [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "game" } }]));

        Assert.DoesNotContain("bad key", env.Variables.Keys);
        var skipped = Assert.Single(env.Skipped);
        Assert.Equal("Keys [1st, bad key] from the EnvFrom configMap default/game were skipped since they are considered invalid environment variable names.", skipped.Message);
    }

    [Fact]
    public void Resolve_APrefixCanMakeAKeyValid()
    {
        var env = Resolve(Container(envFrom: [new EnvFromSource { Prefix = "G_", ConfigMapRef = new ConfigMapEnvSource { Name = "game" } }]));

        Assert.Equal("y", env.Variables["G_1st"]);
        Assert.Equal(["G_bad key"], Assert.Single(env.Skipped).Keys);
    }

    [Fact]
    public void Resolve_ExpandsEarlierVariables_ButNotValuesFromReferences()
    {
        var env = Resolve(Container(env: [
            FromConfigMap("LIVES", "game", "LIVES"),
            Value("TEXT", "lives=$(LIVES) ip=$(POD_IP) $(NOPE) $$(LIVES)"),
            Value("LATER_REF", "$(AFTER)"),
            Value("AFTER", "x"),
        ]));

        Assert.Equal("lives=3 ip=127.1.1.2 $(NOPE) $(LIVES)", env.Variables["TEXT"]);
        Assert.Equal("$(AFTER)", env.Variables["LATER_REF"]);
    }

    [Theory]
    [InlineData("cm", "missing", "LIVES", "configmap \"missing\" not found")]
    [InlineData("cm", "game", "NOPE", "couldn't find key NOPE in ConfigMap default/game")]
    [InlineData("secret", "missing", "x", "secret \"missing\" not found")]
    [InlineData("secret", "db", "NOPE", "couldn't find key NOPE in Secret default/db")]
    public void Resolve_MissingObjectOrKey_FailsWithKubesMessage(string kind, string name, string key, string message)
    {
        var env = kind == "cm" ? FromConfigMap("V", name, key) : FromSecret("V", name, key);

        var error = Assert.Throws<ContainerConfigException>(() => Resolve(Container(env: [env])));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Resolve_OptionalReferences_LeaveTheVariableUnset()
    {
        var env = Resolve(Container(
            env: [FromConfigMap("A", "missing", "k", optional: true), FromConfigMap("B", "game", "NOPE", optional: true), FromSecret("C", "missing", "k", optional: true)],
            envFrom: [new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = "missing", Optional = true } }]));

        Assert.Equal(["POD_IP"], env.Variables.Keys);
    }

    [Fact]
    public void Resolve_MissingEnvFromSource_FailsUnlessOptional()
    {
        var error = Assert.Throws<ContainerConfigException>(() => Resolve(Container(envFrom: [new EnvFromSource { SecretRef = new SecretEnvSource { Name = "gone" } }])));

        Assert.Equal("secret \"gone\" not found", error.Message);
    }

    [Theory]
    [InlineData("limits.memory", null, "67108864")]
    [InlineData("limits.memory", "1Mi", "64")]
    [InlineData("requests.cpu", "1m", "250")]
    [InlineData("requests.cpu", null, "1")] // rounded up
    [InlineData("limits.cpu", null, "2")] // no limit: the node's allocatable
    [InlineData("requests.memory", null, "67108864")] // no request: the limit
    public void Resolve_ResourceFieldRef_DividesAndRoundsUp(string resource, string? divisor, string expected)
    {
        var env = Resolve(Container(env: [new EnvVar
        {
            Name = "R",
            ValueFrom = new EnvVarSource { ResourceFieldRef = new ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new Quantity(divisor) } },
        }]));

        Assert.Equal(expected, env.Variables["R"]);
    }

    [Fact]
    public void Resolve_AnObjectNotReadYet_IsAConfigError()
    {
        _config.Unread.Add("game");

        Assert.Throws<ContainerConfigException>(() => Resolve(Container(env: [FromConfigMap("L", "game", "LIVES")])));
    }
}
