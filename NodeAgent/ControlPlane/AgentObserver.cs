using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>The agent's face to its Node grain: pod changes in, logs and exec out.</summary>
public sealed class AgentObserver(DesiredPods desired, ContainerAccess containers) : INodeAgentObserver
{
    public Task PodChangedAsync(Pod pod)
    {
        desired.Apply(pod);
        return Task.CompletedTask;
    }

    public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request) => containers.ReadLogsAsync(request, CancellationToken.None);

    public Task<PodExecResult> ExecAsync(PodExecRequest request) => containers.ExecAsync(request, CancellationToken.None);
}
