using System.Diagnostics;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Observability;

/// <summary>
/// The agent's container runtime with each call timed into <c>kubelet_runtime_operations_duration_seconds</c> (and
/// counted into <c>kubelet_runtime_operations_errors_total</c> when it throws), as the kubelet times its CRI calls.
/// It changes nothing else: every call, result and exception is the driver's. Log streams are not timed (they last
/// as long as the reader wants).
/// </summary>
public sealed class InstrumentedRuntime(IContainerRuntime inner, KubeletMetrics metrics) : IContainerRuntime, IRuntimeDecorator
{
    /// <summary>The driver underneath, for the few places that depend on which driver runs.</summary>
    public IContainerRuntime Inner => inner;

    public string Name => inner.Name;

    public bool IsolatesContainers => inner.IsolatesContainers;

    public Task<string> VersionAsync(CancellationToken ct) => TimeAsync(RuntimeOperation.Version, () => inner.VersionAsync(ct));

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct) =>
        TimeAsync(RuntimeOperation.ListContainers, () => inner.ListAsync(labels, ct));

    public Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct) => TimeAsync(RuntimeOperation.ContainerStatus, () => inner.InspectAsync(id, ct));

    public Task<bool> ImageExistsAsync(string image, CancellationToken ct) => TimeAsync(RuntimeOperation.ImageStatus, () => inner.ImageExistsAsync(image, ct));

    public Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct) =>
        TimeAsync(RuntimeOperation.PullImage, () => inner.PullImageAsync(image, credential, ct));

    public Task<string> ImageUserAsync(string image, CancellationToken ct) => TimeAsync(RuntimeOperation.ImageStatus, () => inner.ImageUserAsync(image, ct));

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct) => TimeAsync(RuntimeOperation.CreateContainer, () => inner.CreateAsync(spec, ct));

    public Task StartAsync(string id, CancellationToken ct) => TimeAsync(RuntimeOperation.StartContainer, () => inner.StartAsync(id, ct));

    public Task StopAsync(string id, TimeSpan grace, CancellationToken ct) => TimeAsync(RuntimeOperation.StopContainer, () => inner.StopAsync(id, grace, ct));

    public Task RemoveAsync(string id, CancellationToken ct) => TimeAsync(RuntimeOperation.RemoveContainer, () => inner.RemoveAsync(id, ct));

    public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct) =>
        TimeAsync(RuntimeOperation.ExecSync, () => inner.ExecAsync(id, command, stdin, timeout, ct));

    public Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct) =>
        TimeAsync(RuntimeOperation.Exec, () => inner.ExecStreamAsync(id, command, request, ct));

    public Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct) =>
        TimeAsync(RuntimeOperation.Attach, () => inner.AttachAsync(id, request, ct));

    public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, CancellationToken ct) => inner.ReadLogsAsync(id, options, ct);

    private async Task<T> TimeAsync<T>(KeyValuePair<string, object?> operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            var result = await call();
            failed = false;
            return result;
        }
        finally
        {
            metrics.RuntimeOperation(operation, started, failed);
        }
    }

    private async Task TimeAsync(KeyValuePair<string, object?> operation, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await call();
            failed = false;
        }
        finally
        {
            metrics.RuntimeOperation(operation, started, failed);
        }
    }
}
