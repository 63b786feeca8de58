using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// The agent's face to its <see cref="INodeAgentGrain"/>: pod changes and ConfigMap/Secret change hints in, logs and
/// exec out. One instance per agent (a singleton), so the parts that consume ConfigMaps and Secrets subscribe to
/// <see cref="ConfigChanged"/> here.
/// </summary>
public sealed class AgentObserver(DesiredPods desired, ContainerAccess containers) : INodeAgentObserver
{
    /// <summary>
    /// A ConfigMap or Secret that a pod on this node references was written or deleted. Only a hint (raised on the
    /// Orleans call's thread; handlers must return quickly): re-read the object, and resync periodically anyway.
    /// </summary>
    public event EventHandler<PodConfigChangedEventArgs>? ConfigChanged;

    public Task PodChangedAsync(Pod pod)
    {
        desired.Apply(pod);
        return Task.CompletedTask;
    }

    public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request) => containers.ReadLogsAsync(request, CancellationToken.None);

    public Task<PodExecResult> ExecAsync(PodExecRequest request) => containers.ExecAsync(request, CancellationToken.None);

    public Task PodConfigChangedAsync(string kind, string @namespace, string name)
    {
        ConfigChanged?.Invoke(this, new PodConfigChangedEventArgs(kind, @namespace, name));
        return Task.CompletedTask;
    }
}

/// <summary>Which ConfigMap or Secret changed: <see cref="Kind"/> is "ConfigMap" or "Secret".</summary>
public sealed class PodConfigChangedEventArgs(string kind, string @namespace, string name) : EventArgs
{
    public string Kind { get; } = kind;
    public string Namespace { get; } = @namespace;
    public string Name { get; } = name;
}
