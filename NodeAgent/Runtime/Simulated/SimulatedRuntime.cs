using System.Globalization;
using System.Runtime.CompilerServices;

namespace Granary.NodeAgent.Runtime.Simulated;

/// <summary>
/// The <c>simulated</c> driver, for hollow nodes in scale tests only: containers live in memory, start at once
/// and run until stopped (the command is ignored). Deterministic: ids count up, times come from the
/// injected clock, a stop exits with 0, every image exists, exec succeeds with no output.
/// </summary>
public sealed class SimulatedRuntime(TimeProvider? time = null, SimulatedUsage? usage = null) : IContainerRuntime, IContainerStatistics
{
    private readonly SimulatedUsage _usage = usage ?? SimulatedUsage.Default;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Simulated> _containers = [];
    private long _lastId;

    public string Name => "simulated";

    /// <summary>Nothing runs, so nothing is shared: pods are accepted as an isolating engine would.</summary>
    public bool IsolatesContainers => true;

    public Task<string> VersionAsync(CancellationToken ct) => Task.FromResult("simulated://1.0");

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        lock (_lock)
        {
            IReadOnlyList<ContainerInfo> found = _containers.Values
                .Select(c => c.Info)
                .Where(i => labels.All(l => i.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                .OrderBy(i => i.Id, StringComparer.Ordinal)
                .ToList();
            return Task.FromResult(found);
        }
    }

    public Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(_containers.GetValueOrDefault(id)?.Info);
    }

    public Task<bool> ImageExistsAsync(string image, CancellationToken ct) => Task.FromResult(true);

    public Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct) => Task.CompletedTask;

    public Task<string> ImageUserAsync(string image, CancellationToken ct) => Task.FromResult("");

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_containers.Values.Any(c => c.Info.Name == spec.Name))
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container name {spec.Name} is already in use");
            var id = "sim-" + (++_lastId).ToString("D8", CultureInfo.InvariantCulture);
            _containers[id] = new Simulated(new ContainerInfo
            {
                Id = id,
                Name = spec.Name,
                Image = spec.Image,
                ImageId = "simulated:" + spec.Image,
                ImageRef = "simulated://" + spec.Image,
                Labels = new Dictionary<string, string>(spec.Labels),
                State = ContainerRunState.Created,
                CreatedAt = _time.GetUtcNow(),
            });
            return Task.FromResult(id);
        }
    }

    public Task StartAsync(string id, CancellationToken ct)
    {
        lock (_lock)
        {
            var container = Get(id);
            if (container.Info.State != ContainerRunState.Running)
            {
                container.Info = container.Info with { State = ContainerRunState.Running, StartedAt = _time.GetUtcNow(), ExitCode = null, FinishedAt = null };
                container.Stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(string id, TimeSpan grace, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_containers.GetValueOrDefault(id) is { Info.State: ContainerRunState.Running } container)
            {
                container.Info = container.Info with { State = ContainerRunState.Exited, ExitCode = 0, FinishedAt = _time.GetUtcNow() };
                container.Stopped.TrySetResult();
            }
        }
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string id, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_containers.Remove(id, out var container))
                container.Stopped.TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>A hollow container runs nothing: every command succeeds with no output, whatever its stdin.</summary>
    public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct)
    {
        lock (_lock)
        {
            if (Get(id).Info.State != ContainerRunState.Running)
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
        }
        return Task.FromResult(new ExecResult(0, "", ""));
    }

    /// <summary>As <see cref="ExecAsync"/>: the command ends at once, with no output and exit code 0, whatever it is given.</summary>
    public Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct)
    {
        lock (_lock)
        {
            if (Get(id).Info.State != ContainerRunState.Running)
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
        }
        return Task.FromResult<IStreamSession>(new SimulatedStreamSession(Task.CompletedTask, exitCode: 0));
    }

    /// <summary>A hollow container writes nothing: an attach shows no output and ends when the container stops.</summary>
    public Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct)
    {
        Task stopped;
        lock (_lock)
        {
            var container = Get(id);
            if (container.Info.State != ContainerRunState.Running)
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
            stopped = container.Stopped.Task;
        }
        return Task.FromResult<IStreamSession>(new SimulatedStreamSession(stopped, exitCode: null));
    }

    /// <summary>One line, "simulated container NAME started", at the start time; following waits for the stop.</summary>
    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ContainerInfo info;
        Task stopped;
        lock (_lock)
        {
            var container = Get(id);
            (info, stopped) = (container.Info, container.Stopped.Task);
        }
        if (info.StartedAt is { } started && options.Tail is not 0 && (options.Since is not { } since || started >= since))
            yield return new LogLine(started, LogStream.Stdout, $"simulated container {info.Name} started");
        if (!options.Follow || info.State != ContainerRunState.Running)
            yield break;
        try
        {
            await stopped.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Following ends with the caller's cancellation, cleanly.
        }
    }

    /// <summary>A running container burns the configured CPU from its start and holds the configured memory.</summary>
    public Task<Granary.Metrics.ResourceReading?> ContainerUsageAsync(string id, CancellationToken ct)
    {
        lock (_lock)
        {
            if (_containers.GetValueOrDefault(id)?.Info is not { State: ContainerRunState.Running, StartedAt: { } started })
                return Task.FromResult<Granary.Metrics.ResourceReading?>(null);
            var running = _time.GetUtcNow() - started;
            var cpu = (ulong)Math.Max(0, running.TotalSeconds * _usage.CpuMillicores * 1_000_000);
            return Task.FromResult<Granary.Metrics.ResourceReading?>(new(cpu, _usage.MemoryBytes));
        }
    }

    /// <summary>Nothing runs on the host, so the node uses what its containers use.</summary>
    public Granary.Metrics.ResourceReading NodeUsage(IReadOnlyCollection<Granary.Metrics.ResourceReading> containers) =>
        new(containers.Aggregate(0UL, (sum, c) => sum + c.CpuNanoseconds), containers.Sum(c => c.MemoryWorkingSetBytes));

    private Simulated Get(string id) =>
        _containers.GetValueOrDefault(id) ?? throw new RuntimeException(RuntimeErrorKind.NotFound, $"container {id} not found");

    private sealed class Simulated(ContainerInfo info)
    {
        public ContainerInfo Info { get; set; } = info;

        public TaskCompletionSource Stopped { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
