using System.Diagnostics;
using Granary.Client;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;

namespace Granary.Bench;

/// <summary>
/// The pod-startup benchmark, against a running private engine, cluster and agent:
/// (1) the raw-engine floor: N containers created and started through the Engine API (the agent's own Docker driver);
/// (2) N pods created through the SDK, each timed from its create call until a watch sees it Running;
/// (3) the pods deleted, timed until every pod object is gone and every container removed.
/// Failures of the system under test are reported as they are (<see cref="BenchmarkException"/>), never retried.
/// </summary>
internal sealed partial class PodStartupBenchmark(GranaryClient client, PrivateDockerd dockerd, LocalAgent agent, PodStartupOptions options, TextWriter output)
{
    private const string RawPrefix = "bench-raw-";
    private const string RawLabel = "io.granary.bench";

    /// <summary>How often the raw phase inspects a started container until the engine says it runs.</summary>
    private static readonly TimeSpan InspectPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the agent is left alone with every pod Running before its memory is read: a few of its once-a-second passes.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ContainerPoll = TimeSpan.FromMilliseconds(100);

    private DockerRuntime Engine => dockerd.Engine;

    private int Pods => options.Pods;

    public async Task<PodStartupResult> RunAsync(CancellationToken ct)
    {
        var loadBefore = ProcessHelpers.LoadAverage();
        // Read with the node Ready and no pod ever run, once start-up work has settled.
        await Task.Delay(Settle, ct);
        var idle = AgentMemory();
        var oneAtATime = options.OneAtATime > 0 ? await OneAtATimeAsync(ct) : null;
        var raw = await RawEngineAsync(ct);

        output.WriteLine($"[3/4] the burst through Granary: watching pods in namespace {BenchObjects.Namespace}");
        await using var watch = await PodWatch.StartAsync(client.Pods, Pods, [PodMilestone.Bound, PodMilestone.Running, PodMilestone.Deleted], ct);
        var workBefore = WorkSnapshot();
        var started = await StartPodsAsync(watch, Pods, ct);
        var burstWork = AgentWork.Between(Pods, workBefore, WorkSnapshot());
        await Task.Delay(Settle, ct);
        var withPods = AgentMemory();

        var deletion = await DeletePodsAsync(watch, Pods, ct);
        var afterDeletion = AgentMemory();
        var churn = options.Churn > 0 ? await ChurnAsync(ct) : null;

        var running = watch[PodMilestone.Running];
        var bound = watch[PodMilestone.Bound];
        return new PodStartupResult
        {
            Pods = Pods,
            Concurrency = options.Concurrency,
            Engine = $"{dockerd.Version} (API {Engine.ApiVersion}, overlay2)",
            OneAtATime = oneAtATime,
            Raw = raw,
            CreateCalls = started.CallLatency(),
            CreateToBound = Percentiles.Summarize(Enumerable.Range(0, Pods).Select(i => Milliseconds(started.StartedAt[i], bound.At(i)))),
            CreateToRunning = Percentiles.Summarize(Enumerable.Range(0, Pods).Select(i => Milliseconds(started.StartedAt[i], running.At(i)))),
            BoundToRunning = Percentiles.Summarize(Enumerable.Range(0, Pods).Select(i => Milliseconds(bound.At(i), running.At(i)))),
            FirstCreateToAllRunning = Stopwatch.GetElapsedTime(started.FirstStartedAt, running.LastAt),
            BurstWork = burstWork,
            WatchEvents = watch.Events,
            Deletion = deletion,
            AgentIdle = idle,
            AgentWithPods = withPods,
            AgentAfterDeletion = afterDeletion,
            Churn = churn,
            LoadBefore = loadBefore,
            LoadAfter = ProcessHelpers.LoadAverage(),
        };
    }

    /// <summary>Phase 2: the burst's containers straight through the Engine API, then removed.</summary>
    private async Task<RawEngineResult> RawEngineAsync(CancellationToken ct)
    {
        output.WriteLine($"[2/4] the burst on the raw engine: {Pods} containers created and started through the Engine API ({options.Concurrency} in flight), " +
            $"{BusyboxImage.Name} \"{string.Join(' ', BenchObjects.SleepCommand)}\", host network");
        var startedAt = new long[Pods];
        var runningAt = new long[Pods];
        var ids = new string?[Pods];
        var running = 0;
        long first;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.EffectiveTimeout);
        try
        {
            await using (new ProgressPrinter(output, "raw", Pods, () => Volatile.Read(ref running)))
            {
                first = Stopwatch.GetTimestamp();
                await InFlight.ForEachAsync(Pods, options.Concurrency, async (i, token) =>
                {
                    var name = BenchObjects.Name(RawPrefix, i, Pods, 3);
                    startedAt[i] = Stopwatch.GetTimestamp();
                    try
                    {
                        ids[i] = await Engine.CreateAsync(RawContainer(name), token);
                        await Engine.StartAsync(ids[i]!, token);
                        await WaitUntilRunningAsync(name, ids[i]!, token);
                    }
                    catch (RuntimeException e)
                    {
                        throw BenchmarkException.Failed($"raw engine: starting container {name} failed after {Volatile.Read(ref running)} were running", e);
                    }
                    runningAt[i] = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref running);
                }, limit.Token);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new BenchmarkException($"raw engine: only {Volatile.Read(ref running)} of {Pods} containers were running {options.EffectiveTimeout.TotalSeconds:0} s after the first create");
        }
        var allRunning = Stopwatch.GetElapsedTime(first, runningAt.Max());

        output.WriteLine($"      removing the {Pods} containers ({options.Concurrency} in flight)");
        var removed = 0;
        var removing = Stopwatch.GetTimestamp();
        await using (new ProgressPrinter(output, "removed", Pods, () => Volatile.Read(ref removed)))
        {
            await InFlight.ForEachAsync(Pods, options.Concurrency, async (i, token) =>
            {
                await Engine.RemoveAsync(ids[i]!, token);
                Interlocked.Increment(ref removed);
            }, ct);
        }
        return new RawEngineResult(
            Percentiles.Summarize(Enumerable.Range(0, Pods).Select(i => Milliseconds(startedAt[i], runningAt[i]))),
            allRunning,
            Stopwatch.GetElapsedTime(removing));
    }

    private async Task WaitUntilRunningAsync(string name, string id, CancellationToken ct)
    {
        while (true)
        {
            var info = await Engine.InspectAsync(id, ct) ?? throw new BenchmarkException($"raw engine: container {name} vanished after it was started");
            if (info.State == ContainerRunState.Running)
                return;
            if (info.State == ContainerRunState.Exited)
                throw new BenchmarkException($"raw engine: container {name} exited (code {info.ExitCode}) instead of running{(info.Error is null ? "" : ": " + info.Error)}");
            await Task.Delay(InspectPoll, ct);
        }
    }

    internal static ContainerSpec RawContainer(string name) => new()
    {
        Name = name,
        Image = BusyboxImage.Name,
        Command = BenchObjects.SleepCommand,
        Labels = new Dictionary<string, string> { [RawLabel] = "raw" },
    };

    /// <summary>Creates <paramref name="count"/> pods, and waits until the watch has seen each Running.</summary>
    private async Task<PodCreations> StartPodsAsync(PodWatch watch, int count, CancellationToken ct)
    {
        var limit = options.EffectiveTimeout;
        output.WriteLine($"      creating {count} pods ({options.Concurrency} in flight) and waiting until each is seen Running (limit {limit.TotalSeconds:0} s)");
        var running = watch[PodMilestone.Running];
        var bound = watch[PodMilestone.Bound];
        var creates = new PodCreations(count);
        await using (new ProgressPrinter(output, "Running", count, () => running.Reached, () => $"created {creates.Done}, bound {bound.Reached}"))
        {
            await creates.RunAsync(client.Pods, options.Concurrency, BenchObjects.SleepingPod, ct);
            if (await WaitAsync(running, count, limit - Stopwatch.GetElapsedTime(creates.FirstStartedAt), ct))
                return creates;
        }
        throw new BenchmarkException($"{count - running.Reached} of {count} pods were not seen Running {limit.TotalSeconds:0} s after the first create " +
            $"({bound.Reached} seen bound, {watch.Events} watch events). {DescribeMissing(watch, count, PodMilestone.Running)}{AgentState()}");
    }

    /// <summary>Deletes <paramref name="count"/> pods (default grace period, as kubectl delete does), waits until every pod object is gone, then checks the engine.</summary>
    private async Task<DeletionResult> DeletePodsAsync(PodWatch watch, int count, CancellationToken ct)
    {
        var limit = options.EffectiveTimeout;
        output.WriteLine($"      deleting the {count} pods ({options.Concurrency} in flight) and waiting until every pod object is gone (limit {limit.TotalSeconds:0} s)");
        var deleted = watch[PodMilestone.Deleted];
        var calls = 0;
        var first = Stopwatch.GetTimestamp();
        long callsReturned;
        await using (new ProgressPrinter(output, "gone", count, () => deleted.Reached, () => $"delete calls returned {Volatile.Read(ref calls)}"))
        {
            await InFlight.ForEachAsync(count, options.Concurrency, async (i, token) =>
            {
                var name = BenchObjects.PodName(i, count);
                try
                {
                    await client.Pods.DeleteAsync(BenchObjects.Namespace, name, null, token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw BenchmarkException.Failed($"deleting pod {BenchObjects.Namespace}/{name} failed after {Volatile.Read(ref calls)} pods", e);
                }
                Interlocked.Increment(ref calls);
            }, ct);
            callsReturned = Stopwatch.GetTimestamp();
            if (!await WaitAsync(deleted, count, limit - Stopwatch.GetElapsedTime(first), ct))
            {
                throw new BenchmarkException($"{count - deleted.Reached} of {count} pods were not gone {limit.TotalSeconds:0} s after the first delete call. " +
                    $"{DescribeMissing(watch, count, PodMilestone.Deleted)}{await ContainersLeftAsync(ct)}{AgentState()}");
            }
        }
        var allGone = deleted.LastAt;

        // The agent removes a pod's containers before it confirms the deletion, so none should be left now; if some
        // are, the engine is polled until they go.
        var leftWhenGone = (await AgentContainersAsync(ct)).Count;
        var containersGone = allGone;
        if (leftWhenGone > 0)
        {
            output.WriteLine($"      {leftWhenGone} pod containers were still in the engine when the last pod object was gone; waiting for them");
            while ((await AgentContainersAsync(ct)).Count > 0)
            {
                if (Stopwatch.GetElapsedTime(first) > limit)
                    throw new BenchmarkException($"every pod object was gone, but {await ContainersLeftAsync(ct)}{limit.TotalSeconds:0} s after the first delete call");
                await Task.Delay(ContainerPoll, ct);
            }
            containersGone = Stopwatch.GetTimestamp();
        }
        return new DeletionResult(
            Stopwatch.GetElapsedTime(first, callsReturned),
            Stopwatch.GetElapsedTime(first, allGone),
            leftWhenGone,
            Stopwatch.GetElapsedTime(first, containersGone));
    }

    /// <summary>Waits for a milestone, failing at once if the agent process exits meanwhile.</summary>
    private async Task<bool> WaitAsync(MilestoneTimes milestone, int count, TimeSpan limit, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var exited = agent.Process.WaitForExitAsync(stop.Token);
        var waiting = milestone.WaitAllAsync(limit, ct);
        var first = await Task.WhenAny(waiting, exited);
        if (first == exited && !ct.IsCancellationRequested)
            throw new BenchmarkException($"the agent exited with code {agent.Process.ExitCode} while {milestone.Reached} of {count} pods had got that far. {agent.Process.FormatTail()}");
        await stop.CancelAsync();
        return await waiting;
    }

    /// <summary>A few pods that have not reached a milestone, each with what the watch last saw of it.</summary>
    private string DescribeMissing(PodWatch watch, int count, PodMilestone milestone)
    {
        var missing = watch[milestone].Missing().ToList();
        var lines = missing.Take(5).Select(i => $"{Environment.NewLine}    {BenchObjects.PodName(i, count)}: {Describe(watch.Latest(i))}");
        return $"Not {milestone.Name} (first {Math.Min(5, missing.Count)} of {missing.Count}):{string.Concat(lines)}";
    }

    /// <summary>What a pod looked like when last seen: node, phase, reason and each container's state.</summary>
    private static string Describe(Pod? pod)
    {
        if (pod is null)
            return "never seen by the watch";
        var status = pod.Status;
        var containers = (status?.ContainerStatuses ?? []).Select(c => c.State switch
        {
            { Running: not null } => $"{c.Name} running",
            { Waiting: { } w } => $"{c.Name} waiting ({w.Reason}{(w.Message is null ? "" : ": " + w.Message)})",
            { Terminated: { } t } => $"{c.Name} terminated (exit {t.ExitCode}, {t.Reason}{(t.Message is null ? "" : ": " + t.Message)})",
            _ => $"{c.Name} no state",
        });
        var deleting = pod.Metadata.DeletionTimestamp is { } at ? $", deletionTimestamp {at:HH:mm:ss}" : "";
        return $"node {pod.Spec.NodeName ?? "none"}, phase {status?.Phase ?? "none"}{(status?.Reason is null ? "" : $" ({status.Reason}: {status.Message})")}{deleting}, " +
            $"containers: {(status?.ContainerStatuses is { Count: > 0 } ? string.Join("; ", containers) : "none reported")}";
    }

    /// <summary>The agent's warnings and errors, and whether it still runs, for error messages.</summary>
    private string AgentState() =>
        $"{Environment.NewLine}The agent (pid {agent.Process.Pid}) is {(agent.Process.HasExited ? $"gone (exit code {agent.Process.ExitCode})" : "running")}; its log: {agent.Process.Problems}";

    private async Task<IReadOnlyList<ContainerInfo>> AgentContainersAsync(CancellationToken ct) =>
        await Engine.ListAsync(ContainerNaming.NodeSelector(LocalAgent.NodeName), ct);

    private async Task<string> ContainersLeftAsync(CancellationToken ct)
    {
        var left = await AgentContainersAsync(ct);
        return $"{left.Count} pod containers are still in the engine{(left.Count == 0 ? "" : $" ({string.Join(", ", left.Take(3).Select(c => $"{c.Name} {c.State}"))})")}. ";
    }

    /// <summary>The agent's CPU time and the engine's calls so far, to subtract from a later snapshot.</summary>
    private (double? CpuSeconds, IReadOnlyDictionary<string, long> Calls) WorkSnapshot() =>
        (ProcessHelpers.CpuSeconds(agent.Process.Pid), dockerd.Calls.Snapshot());

    private ProcessMemory AgentMemory() => new(ProcessHelpers.RssBytes(agent.Process.Pid), ProcessHelpers.PeakRssBytes(agent.Process.Pid));

    private static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
