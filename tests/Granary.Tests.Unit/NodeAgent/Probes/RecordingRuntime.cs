using System.Collections.Concurrent;
using Granary.NodeAgent.Runtime;

namespace Granary.Tests.Unit.NodeAgent.Probes;

/// <summary>
/// An engine that only execs: each call is recorded with the clock's time and answered at once by the exit code
/// set for the command's last word (0 unless set), or by the exception set for it.
/// </summary>
internal sealed class RecordingRuntime(TimeProvider time) : IContainerRuntime
{
    public sealed record ExecCall(string ContainerId, string Command, TimeSpan Timeout, DateTimeOffset At);

    public ConcurrentQueue<ExecCall> Calls { get; } = new();
    public ConcurrentDictionary<string, int> ExitCodes { get; } = new();
    public ConcurrentDictionary<string, string> Output { get; } = new();
    public ConcurrentDictionary<string, Exception> Failures { get; } = new();

    public string Name => "recording";

    /// <summary>When each exec of <paramref name="check"/> happened, in seconds after <paramref name="start"/>.</summary>
    public IEnumerable<double> Times(string check, DateTimeOffset start) =>
        Calls.Where(c => c.Command.EndsWith(" " + check, StringComparison.Ordinal)).Select(c => (c.At - start).TotalSeconds);

    public Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct) =>
        throw new NotSupportedException("probes run commands with ExecAsync");

    public Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct) =>
        throw new NotSupportedException("probes never attach");

    public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct)
    {
        Calls.Enqueue(new(id, string.Join(' ', command), timeout, time.GetUtcNow()));
        var check = command[^1];
        if (Failures.TryGetValue(check, out var failure))
            return Task.FromException<ExecResult>(failure);
        return Task.FromResult(new ExecResult(ExitCodes.GetValueOrDefault(check), Output.GetValueOrDefault(check, ""), ""));
    }

    public Task<string> VersionAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct) => throw new NotSupportedException();
    public Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> ImageExistsAsync(string image, CancellationToken ct) => throw new NotSupportedException();
    public bool IsolatesContainers => true;
    public Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct) => throw new NotSupportedException();
    public Task<string> ImageUserAsync(string image, CancellationToken ct) => throw new NotSupportedException();
    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct) => throw new NotSupportedException();
    public Task StartAsync(string id, CancellationToken ct) => throw new NotSupportedException();
    public Task StopAsync(string id, TimeSpan grace, CancellationToken ct) => throw new NotSupportedException();
    public Task RemoveAsync(string id, CancellationToken ct) => throw new NotSupportedException();
    public IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, CancellationToken ct) => throw new NotSupportedException();
}
