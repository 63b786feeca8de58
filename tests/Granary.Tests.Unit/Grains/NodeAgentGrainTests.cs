using System.Threading.Channels;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>
/// What a node's agent may read of ConfigMaps and Secrets (only what the pods bound to it reference), and the hint it
/// hears when one of them changes.
/// </summary>
public sealed class NodeAgentGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private GranaryClient Client => fixture.Client;

    /// <summary>A pod on <paramref name="node"/> using a ConfigMap as a volume and a Secret as an env value.</summary>
    private static Pod PodUsing(string ns, string name, string node, string configMap, string secret)
    {
        var pod = Objects.Pod(ns, name);
        return pod with
        {
            Spec = pod.Spec with
            {
                NodeName = node,
                Volumes = [new Volume { Name = "config", ConfigMap = new ConfigMapVolumeSource { Name = configMap } }],
                Containers = [pod.Spec.Containers![0] with
                {
                    Env = [new EnvVar { Name = "TOKEN", ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = secret, Key = "token" } } }],
                }],
            },
        };
    }

    private static ConfigMap ConfigMap(string ns, string name) =>
        new() { Metadata = new ObjectMeta { Name = name, Namespace = ns }, Data = Objects.Labels(("color", "blue")) };

    private static Secret Secret(string ns, string name, string token) =>
        new() { Metadata = new ObjectMeta { Name = name, Namespace = ns }, StringData = Objects.Labels(("token", token)) };

    private async Task<string> NamespaceAsync(string prefix)
    {
        var ns = Unique.Name(prefix);
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        return ns;
    }

    [Fact]
    public async Task ReadPodConfig_ReturnsWhatTheNodesPodsReference_AndLeavesOutMissingOnes()
    {
        var ns = await NamespaceAsync("agent-read");
        var node = Unique.Name("read-node");
        await Client.ConfigMaps.CreateAsync(ConfigMap(ns, "settings"));
        await Client.Secrets.CreateAsync(Secret(ns, "api", "t0ken"));
        await Client.Pods.CreateAsync(PodUsing(ns, "web", node, "settings", "api"));
        await Client.Pods.CreateAsync(PodUsing(ns, "worker", node, "not-yet", "api"));

        var read = await fixture.Grains.GetGrain<INodeAgentGrain>(node).ReadPodConfigAsync(ns, ["settings", "not-yet"], ["api", "api"]);

        Assert.Equal(["settings"], read.ConfigMaps.Select(c => c.Metadata.Name));
        Assert.Equal("blue", read.ConfigMaps[0].Data!["color"]);
        var secret = Assert.Single(read.Secrets);
        Assert.Equal("t0ken", secret.Data!["token"].ToUtf8());
        Assert.Null(secret.StringData);
    }

    [Fact]
    public async Task ReadPodConfig_IsForbidden_ForANameNoPodOfTheNodeReferences()
    {
        var ns = await NamespaceAsync("agent-forbid");
        var node = Unique.Name("forbid-node");
        var other = Unique.Name("other-node");
        await Client.Secrets.CreateAsync(Secret(ns, "api", "t0ken"));
        await Client.Secrets.CreateAsync(Secret(ns, "admin", "r00t"));
        await Client.Pods.CreateAsync(PodUsing(ns, "web", node, "settings", "api"));

        var unreferenced = await Assert.ThrowsAsync<ForbiddenException>(
            () => fixture.Grains.GetGrain<INodeAgentGrain>(node).ReadPodConfigAsync(ns, [], ["api", "admin"]));
        var otherNode = await Assert.ThrowsAsync<ForbiddenException>(
            () => fixture.Grains.GetGrain<INodeAgentGrain>(other).ReadPodConfigAsync(ns, [], ["api"]));
        var otherNamespace = await Assert.ThrowsAsync<ForbiddenException>(
            () => fixture.Grains.GetGrain<INodeAgentGrain>(node).ReadPodConfigAsync("default", ["settings"], []));

        Assert.Equal(
            $"secrets \"admin\" is forbidden: node \"{node}\" cannot get resource \"secrets\" in the namespace \"{ns}\": " +
            $"no relationship found between node '{node}' and this object (no pod bound to the node references it)",
            unreferenced.Message);
        Assert.Contains($"node \"{other}\" cannot get resource \"secrets\"", otherNode.Message, StringComparison.Ordinal);
        Assert.Contains("configmaps \"settings\" is forbidden", otherNamespace.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("r00t", unreferenced.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWriteOrDelete_HintsEachNodeWhosePodsReferenceIt_OncePerNode()
    {
        var ns = await NamespaceAsync("agent-hint");
        var node = Unique.Name("hint-node");
        var bystander = Unique.Name("bystander-node");
        var agent = new RecordingAgent();
        var idle = new RecordingAgent();
        await fixture.Grains.GetGrain<INodeAgentGrain>(node).SubscribeAsync(fixture.Grains.CreateObjectReference<INodeAgentObserver>(agent));
        await fixture.Grains.GetGrain<INodeAgentGrain>(bystander).SubscribeAsync(fixture.Grains.CreateObjectReference<INodeAgentObserver>(idle));
        // Two pods on one node reference the same objects; the bystander's pod references others.
        await Client.Pods.CreateAsync(PodUsing(ns, "web-1", node, "settings", "api"));
        await Client.Pods.CreateAsync(PodUsing(ns, "web-2", node, "settings", "api"));
        await Client.Pods.CreateAsync(PodUsing(ns, "other", bystander, "other-settings", "other-api"));
        // Barrier: a consistent read of the pods brings this silo's cache up to them, which the hints are read from.
        await fixture.Grains.GetGrain<INodeAgentGrain>(node).ReadPodConfigAsync(ns, [], ["api"]);

        var created = await Client.Secrets.CreateAsync(Secret(ns, "api", "one"));
        var first = await agent.NextAsync($"the hint for the creation of secret {ns}/api at node {node}");
        await Client.Secrets.UpdateAsync(created with { StringData = Objects.Labels(("token", "two")) });
        var second = await agent.NextAsync($"the hint for the update of secret {ns}/api at node {node}");
        await Client.ConfigMaps.CreateAsync(ConfigMap(ns, "settings"));
        await Client.ConfigMaps.DeleteAsync(ns, "settings");
        var third = await agent.NextAsync($"the hint for configmap {ns}/settings at node {node}");
        var fourth = await agent.NextAsync($"the hint for the deletion of configmap {ns}/settings at node {node}");
        await Client.Secrets.CreateAsync(Secret(ns, "other-api", "x"));
        var bystanders = await idle.NextAsync($"the hint for secret {ns}/other-api at node {bystander}");

        Assert.Equal($"Secret {ns}/api", first);
        Assert.Equal($"Secret {ns}/api", second);
        Assert.Equal($"ConfigMap {ns}/settings", third);
        Assert.Equal($"ConfigMap {ns}/settings", fourth);
        Assert.Equal($"Secret {ns}/other-api", bystanders);
        // One hint per node and write: nothing beyond the four (each hint was awaited, so extra ones came before).
        Assert.False(agent.TryNext(out var extra), $"node {node} heard more than once per write: {extra}");
        GC.KeepAlive(agent); // an observer is held weakly by its reference
        GC.KeepAlive(idle);
    }

    /// <summary>An agent that records the ConfigMap/Secret hints it hears.</summary>
    private sealed class RecordingAgent : INodeAgentObserver
    {
        private readonly Channel<string> _hints = Channel.CreateUnbounded<string>();

        public async Task<string> NextAsync(string what)
        {
            using var cts = new CancellationTokenSource(Timeout);
            try
            {
                return await _hints.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited {Timeout.TotalSeconds:0} s for {what}");
            }
        }

        public bool TryNext(out string? hint) => _hints.Reader.TryRead(out hint);

        public Task PodConfigChangedAsync(string kind, string @namespace, string name)
        {
            _hints.Writer.TryWrite($"{kind} {@namespace}/{name}");
            return Task.CompletedTask;
        }

        public Task PodChangedAsync(Pod pod) => Task.CompletedTask;

        public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request) => throw new NotSupportedException("this test agent only records hints");

        public Task<PodExecResult> ExecAsync(PodExecRequest request) => throw new NotSupportedException("this test agent only records hints");
    }
}
