using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Nodes;

/// <summary>
/// A node agent's link to the control plane (key: the node name): holds the agent's observer, pushes pod changes and
/// ConfigMap/Secret hints to it, forwards logs and exec, and answers the agent's reads of its pods' ConfigMaps and
/// Secrets. Keeps no state: the subscription is not durable, and the agent renews it on a timer.
/// </summary>
public sealed partial class NodeAgentGrain(WatchCache cache, ILogger<NodeAgentGrain> logger) : Grain, INodeAgentGrain
{
    private INodeAgentObserver? _agent;

    private string Name => this.GetPrimaryKeyString();

    public Task SubscribeAsync(INodeAgentObserver agent)
    {
        _agent = agent;
        return Task.CompletedTask;
    }

    public Task PodChangedAsync(Pod pod)
    {
        Tell(agent => agent.PodChangedAsync(pod));
        return Task.CompletedTask;
    }

    public Task PodConfigChangedAsync(string kind, string @namespace, string name)
    {
        Tell(agent => agent.PodConfigChangedAsync(kind, @namespace, name));
        return Task.CompletedTask;
    }

    /// <summary>A one-way call to the agent: a slow or gone agent never holds up the caller; it resyncs on its own timer.</summary>
    private void Tell(Func<INodeAgentObserver, Task> call)
    {
        if (_agent is not { } agent)
            return;
        try
        {
            _ = call(agent);
        }
        catch (Exception e) when (e is OrleansException or ObjectDisposedException)
        {
            LogAgentUnreachable(logger, Name, e.Message);
        }
    }

    public async Task<PodConfigObjects> ReadPodConfigAsync(string @namespace, ImmutableArray<string> configMaps, ImmutableArray<string> secrets)
    {
        configMaps = configMaps.IsDefault ? [] : configMaps;
        secrets = secrets.IsDefault ? [] : secrets;
        // A consistent read of the pods, so a pod bound a moment ago already grants its node its objects.
        var pods = await cache.ConsistentAsync(ResourceKinds.Pod);
        var bound = pods.OnNode(Name).Cast<Pod>().Where(p => p.Metadata.Namespace == @namespace);
        var referenced = PodConfigReferences.Of(bound);
        if (configMaps.FirstOrDefault(n => !referenced.ConfigMaps.Contains(n)) is { } configMap)
            throw Unrelated(ResourceKinds.ConfigMap, @namespace, configMap);
        if (secrets.FirstOrDefault(n => !referenced.Secrets.Contains(n)) is { } secret)
            throw Unrelated(ResourceKinds.Secret, @namespace, secret);

        return new PodConfigObjects(
            await ReadAsync<ConfigMap>(@namespace, configMaps),
            await ReadAsync<Secret>(@namespace, secrets));
    }

    private async Task<ImmutableArray<T>> ReadAsync<T>(string @namespace, ImmutableArray<string> names) where T : class, IResource<T>
    {
        if (names.IsEmpty)
            return [];
        var objects = await cache.ConsistentAsync(T.ResourceKind);
        return [.. names.Distinct(StringComparer.Ordinal).Select(n => objects.Get(T.ResourceKind.KeyOf(@namespace, n))).OfType<T>()];
    }

    // In the node authorizer's words, so the agent's message reads like the kubelet's.
    private ForbiddenException Unrelated(ResourceKind kind, string @namespace, string name) =>
        new($"{kind.Plural} \"{name}\" is forbidden: node \"{Name}\" cannot get resource \"{kind.Plural}\" in the namespace " +
            $"\"{@namespace}\": no relationship found between node '{Name}' and this object (no pod bound to the node references it)");

    public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request) => RequireAgent().ReadLogsAsync(request);

    public Task<PodExecResult> ExecAsync(PodExecRequest request) => RequireAgent().ExecAsync(request);

    private INodeAgentObserver RequireAgent() =>
        _agent ?? throw new ServiceUnavailableException($"no agent is connected for node \"{Name}\"; is the node agent running there?");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Agent of node {Node} could not be told of a change: {Reason}")]
    private static partial void LogAgentUnreachable(ILogger logger, string node, string reason);
}
