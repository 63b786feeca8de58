namespace Granary.Bench;

/// <summary>A process's memory at one moment: VmRSS (now) and VmHWM (peak so far), in bytes; null when unreadable.</summary>
internal sealed record ProcessMemory(long? RssBytes, long? PeakRssBytes)
{
    public override string ToString() => $"VmRSS {Mebibytes(RssBytes)}, VmHWM {Mebibytes(PeakRssBytes)}";

    public static string Mebibytes(long? bytes) => bytes is { } b ? $"{b / (1024.0 * 1024.0):0} MiB" : "?";
}

/// <summary>Phase 1: the same containers created and started straight through the Engine API.</summary>
/// <param name="CreateToRunning">Per container: create call started -> inspect says running.</param>
/// <param name="FirstCreateToAllRunning">First create call started -> the last container seen running.</param>
/// <param name="Removal">Force-removing all of them, with the same concurrency.</param>
internal sealed record RawEngineResult(LatencySummary CreateToRunning, TimeSpan FirstCreateToAllRunning, TimeSpan Removal);

/// <summary>Phase 3, every time from the first delete call.</summary>
/// <param name="CallsReturned">Until the last delete call returned.</param>
/// <param name="AllPodsGone">Until the watch saw the last pod's Deleted event.</param>
/// <param name="ContainersLeftWhenPodsGone">Pod containers still in the engine at that moment (the agent removes them before it confirms a deletion).</param>
/// <param name="AllContainersRemoved">Until the engine held no pod container (the same as AllPodsGone when none was left then).</param>
internal sealed record DeletionResult(TimeSpan CallsReturned, TimeSpan AllPodsGone, int ContainersLeftWhenPodsGone, TimeSpan AllContainersRemoved);

/// <summary>The figures of one pod-startup run, and how they are printed.</summary>
internal sealed record PodStartupResult
{
    public required int Pods { get; init; }
    public required int Concurrency { get; init; }
    public required string Engine { get; init; }
    /// <summary>Phase 1 (null when left out): one container, then one pod, at a time.</summary>
    public OneAtATimeResult? OneAtATime { get; init; }
    public required RawEngineResult Raw { get; init; }
    public required LatencySummary CreateCalls { get; init; }

    /// <summary>Per pod: create call started -> first watch event with spec.nodeName set.</summary>
    public required LatencySummary CreateToBound { get; init; }

    /// <summary>Per pod: create call started -> first watch event with phase Running and its container running.</summary>
    public required LatencySummary CreateToRunning { get; init; }

    /// <summary>Per pod: seen bound -> seen Running, the agent's share (with the status report's way back through the control plane).</summary>
    public required LatencySummary BoundToRunning { get; init; }

    /// <summary>First create call started -> the last pod seen Running.</summary>
    public required TimeSpan FirstCreateToAllRunning { get; init; }
    /// <summary>The agent's CPU and Engine API calls while the burst's pods went from created to Running.</summary>
    public required AgentWork BurstWork { get; init; }
    public required long WatchEvents { get; init; }
    public required DeletionResult Deletion { get; init; }

    /// <summary>The agent with its node registered and no pods, before the pods are created.</summary>
    public required ProcessMemory AgentIdle { get; init; }

    /// <summary>The agent a few seconds after every pod was Running, with nothing else to do.</summary>
    public required ProcessMemory AgentWithPods { get; init; }

    /// <summary>The agent after every pod was deleted.</summary>
    public required ProcessMemory AgentAfterDeletion { get; init; }
    /// <summary>Phase 4 (null when left out): pods that came and went, and the agent's memory after.</summary>
    public PodChurnResult? Churn { get; init; }
    public string? LoadBefore { get; init; }
    public string? LoadAfter { get; init; }
    public long? SiloPeakRssBytes { get; init; }
    public string? SiloLog { get; init; }
    public string? AgentLog { get; init; }
    public string? DockerdLog { get; init; }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("== pod-startup benchmark: results ==");
        Line(output, "containers / pods", $"{Pods} (concurrency {Concurrency}), busybox \"sleep 3600\", host network; engine {Engine}");
        if (OneAtATime is { } one)
        {
            Line(output, "one at a time, engine", $"{one.Engine} (create -> inspect says running, {one.Engine.Count} containers)");
            Line(output, "one at a time, Granary", $"{one.Granary} (create call -> the watch sees Running, {one.Granary.Count} pods)");
            Line(output, "one at a time, p50 ratio", $"{one.Ratio:0.00} (Granary / engine; the goal is at most 1.25)");
        }
        Line(output, "raw engine create->running", Raw.CreateToRunning.ToString());
        Line(output, "raw engine throughput", $"{Rate(Raw.FirstCreateToAllRunning)} containers/s ({Pods} running {Raw.FirstCreateToAllRunning.TotalSeconds:0.00} s after the first create)");
        Line(output, "raw engine remove", $"{Raw.Removal.TotalSeconds:0.00} s for {Pods} ({Rate(Raw.Removal)}/s)");
        Line(output, "Granary create calls", CreateCalls.ToString());
        Line(output, "Granary create->bound", $"{CreateToBound} (seen through the watch)");
        Line(output, "Granary create->Running", $"{CreateToRunning} (seen through the watch)");
        Line(output, "Granary bound->Running", $"{BoundToRunning} (both seen through the watch)");
        Line(output, "Granary throughput", $"{Rate(FirstCreateToAllRunning)} pods/s ({Pods} Running {FirstCreateToAllRunning.TotalSeconds:0.00} s after the first create)");
        Line(output, "burst throughput ratio", $"{BurstRatio:0.00} (Granary / engine, {Concurrency} in flight in both; the goal is at least 1)");
        Line(output, "agent work, burst", BurstWork.ToString());
        Line(output, "pod watch events", $"{WatchEvents}");
        Line(output, "agent memory, idle", AgentIdle.ToString());
        Line(output, "agent memory, pods running", $"{AgentWithPods} (5 s after the last pod was Running)");
        Line(output, "agent memory, pods deleted", AgentAfterDeletion.ToString());
        if (Churn is { } churn)
        {
            Line(output, "churn", $"{churn.Pods} pods came and went in {churn.Elapsed.TotalSeconds:0} s ({churn.Pods / churn.Elapsed.TotalSeconds:0.0} pods/s)");
            Line(output, "agent memory, after churn", $"{churn.After} (5 s after the last pod was gone)");
            Line(output, "agent work, churn", churn.Work.ToString());
        }
        Line(output, "silo peak RSS", SiloPeakRssBytes is null ? "?" : $"{ProcessMemory.Mebibytes(SiloPeakRssBytes)} (VmHWM)");
        Line(output, "delete calls", $"returned {Deletion.CallsReturned.TotalSeconds:0.00} s after the first");
        Line(output, "every pod object gone", $"{Deletion.AllPodsGone.TotalSeconds:0.00} s after the first delete call");
        Line(output, "every container removed", Deletion.ContainersLeftWhenPodsGone == 0
            ? $"by then: none was left when the last pod object was gone"
            : $"{Deletion.AllContainersRemoved.TotalSeconds:0.00} s after the first delete call ({Deletion.ContainersLeftWhenPodsGone} were left when the last pod object was gone)");
        Line(output, "agent log", AgentLog ?? "?");
        Line(output, "silo log", SiloLog ?? "?");
        Line(output, "dockerd log", DockerdLog ?? "?");
        Line(output, "load average", $"{LoadBefore ?? "?"} before, {LoadAfter ?? "?"} after (1/5/15 min; {Environment.ProcessorCount} cores)");
        output.WriteLine("summary " + Summary());
    }

    /// <summary>Granary's burst throughput over the raw engine's (same number of pods, same calls in flight): the goal is at least 1.</summary>
    public double BurstRatio => Raw.FirstCreateToAllRunning / FirstCreateToAllRunning;

    /// <summary>The figures the goals compare, as one line of JSON for scripts.</summary>
    public string Summary() => System.Text.Json.JsonSerializer.Serialize(new
    {
        oneAtATime = OneAtATime is { } one ? new { count = one.Engine.Count, engineP50Ms = Round(one.Engine.P50), granaryP50Ms = Round(one.Granary.P50), ratio = Round(one.Ratio, 2) } : null,
        burst = new
        {
            pods = Pods,
            concurrency = Concurrency,
            enginePerSecond = Round(Pods / Raw.FirstCreateToAllRunning.TotalSeconds, 2),
            granaryPerSecond = Round(Pods / FirstCreateToAllRunning.TotalSeconds, 2),
            ratio = Round(BurstRatio, 2),
            agentCpuMsPerPod = BurstWork.CpuSecondsPerPod is { } cpu ? Round(cpu * 1000) : (double?)null,
            engineCallsPerPod = Round(BurstWork.CallsPerPod, 2),
        },
        agentRssMiB = new
        {
            idle = Mebibytes(AgentIdle.RssBytes),
            podsRunning = Mebibytes(AgentWithPods.RssBytes),
            podsDeleted = Mebibytes(AgentAfterDeletion.RssBytes),
            afterChurn = Churn is { } c ? Mebibytes(c.After.RssBytes) : null,
        },
        churn = Churn is { } churn ? new
        {
            pods = churn.Pods,
            seconds = Round(churn.Elapsed.TotalSeconds),
            agentCpuMsPerPod = churn.Work.CpuSecondsPerPod is { } cpu2 ? Round(cpu2 * 1000) : (double?)null,
            engineCallsPerPod = Round(churn.Work.CallsPerPod, 2),
        } : null,
        loadBefore = LoadBefore,
        loadAfter = LoadAfter,
    });

    private static double Round(double value, int digits = 1) => Math.Round(value, digits);

    private static double? Mebibytes(long? bytes) => bytes is { } b ? Math.Round(b / (1024.0 * 1024.0), 1) : null;

    private string Rate(TimeSpan time) => $"{Pods / time.TotalSeconds:0.0}";

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"{label,-27} {value}");
}
