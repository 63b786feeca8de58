using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// Logs and exec for the control plane: finds a pod's container by its labels and asks the runtime.
/// Errors come back as the API's own kinds, so the user sees "container not found", not an engine trace.
/// </summary>
public sealed class ContainerAccess(IContainerRuntime runtime, NodeIdentity node)
{
    private const int MaxLines = 5000;

    public async Task<PodLogChunk> ReadLogsAsync(PodLogRequest request, CancellationToken ct)
    {
        var container = await FindAsync(request.Namespace, request.Pod, request.Container!, request.Previous, ct);
        var running = container.State == ContainerRunState.Running;
        var lines = new List<PodLogLine>();
        var options = new LogOptions { Tail = request.TailLines, Since = request.SinceTime, Follow = request.Wait > TimeSpan.Zero && running };
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.Follow)
            wait.CancelAfter(request.Wait);
        try
        {
            await foreach (var line in runtime.ReadLogsAsync(container.Id, options, wait.Token))
            {
                // The cursor is exclusive: a follow asks for what came after the last line it has.
                if (request.SinceTime is { } since && line.Timestamp <= since)
                    continue;
                lines.Add(new PodLogLine(line.Timestamp, line.Stream == LogStream.Stderr, line.Text));
                if (lines.Count >= MaxLines)
                    break;
                // A follow returns as soon as something arrived; the caller asks again from there.
                if (options.Follow)
                    wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            }
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // The wait ran out: return what came.
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            throw new NotFoundException("containers", request.Container ?? request.Pod);
        }
        if (options.Follow)
            running = (await runtime.InspectAsync(container.Id, ct))?.State == ContainerRunState.Running;
        return new PodLogChunk([.. lines], running);
    }

    public async Task<PodExecResult> ExecAsync(PodExecRequest request, CancellationToken ct)
    {
        var container = await FindAsync(request.Namespace, request.Pod, request.Container!, previous: false, ct);
        if (container.State != ContainerRunState.Running)
            throw new BadRequestException($"cannot exec in a stopped container; container {request.Container} of pod {request.Pod} is not running");
        try
        {
            var stdin = request.Stdin.IsDefault ? ReadOnlyMemory<byte>.Empty : request.Stdin.AsMemory();
            var result = await runtime.ExecAsync(container.Id, request.Command, stdin, request.Timeout, ct);
            return new PodExecResult(result.ExitCode, result.Stdout, result.Stderr);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Timeout)
        {
            throw new ServiceUnavailableException($"exec in {request.Pod}/{request.Container} did not finish within {request.Timeout.TotalSeconds:0}s");
        }
    }

    /// <summary>
    /// The running instance of a pod's container, for an exec or attach session; null when there is none (not
    /// created yet, exited, or not a container of a pod this node runs).
    /// </summary>
    public async Task<ContainerInfo?> FindRunningAsync(string @namespace, string pod, string container, CancellationToken ct)
    {
        var labels = ContainerNaming.NodeSelector(node.Name);
        labels[ContainerLabels.PodNamespace] = @namespace;
        labels[ContainerLabels.PodName] = pod;
        labels[ContainerLabels.Container] = container;
        var latest = (await runtime.ListAsync(labels, ct)).OrderByDescending(ContainerNaming.AttemptOf).FirstOrDefault();
        return latest?.State == ContainerRunState.Running ? latest : null;
    }

    /// <summary>The pod's container (its latest instance, or the one before with <paramref name="previous"/>).</summary>
    private async Task<ContainerInfo> FindAsync(string @namespace, string pod, string container, bool previous, CancellationToken ct)
    {
        var labels = ContainerNaming.NodeSelector(node.Name);
        labels[ContainerLabels.PodNamespace] = @namespace;
        labels[ContainerLabels.PodName] = pod;
        labels[ContainerLabels.Container] = container;
        var instances = (await runtime.ListAsync(labels, ct)).OrderByDescending(ContainerNaming.AttemptOf).ToImmutableArray();
        var index = previous ? 1 : 0;
        if (instances.Length <= index)
            throw new BadRequestException(previous
                ? $"previous terminated container \"{container}\" in pod \"{pod}\" not found"
                : $"container \"{container}\" in pod \"{pod}\" is waiting to start: no container exists yet on node {node.Name}");
        return instances[index];
    }
}

/// <summary>This agent's node name, known at start.</summary>
public sealed record NodeIdentity(string Name, string Ip);
