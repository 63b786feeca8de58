using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// Phase 4 of the pod-startup benchmark (only with --churn): pods come and go in rounds of the burst's size (created,
/// seen Running, deleted, seen gone) until M have, then the agent is left alone a few seconds and its memory read:
/// what a busy node's agent keeps of pods that are gone.
/// </summary>
internal sealed partial class PodStartupBenchmark
{
    private async Task<PodChurnResult> ChurnAsync(CancellationToken ct)
    {
        var total = options.Churn;
        output.WriteLine($"[4/4] churn: {total} pods come and go in rounds of {Pods} ({options.Concurrency} calls in flight)");
        var workBefore = WorkSnapshot();
        var began = Stopwatch.GetTimestamp();
        for (var done = 0; done < total;)
        {
            var count = Math.Min(Pods, total - done);
            await using (var watch = await PodWatch.StartAsync(client.Pods, count, [PodMilestone.Bound, PodMilestone.Running, PodMilestone.Deleted], ct))
            {
                await StartPodsAsync(watch, count, ct);
                await DeletePodsAsync(watch, count, ct);
            }
            done += count;
            output.WriteLine($"      churn: {done}/{total} pods came and went in {Stopwatch.GetElapsedTime(began).TotalSeconds:0} s; agent {AgentMemory()}; load {ProcessHelpers.LoadAverage()}");
        }
        var work = AgentWork.Between(total, workBefore, WorkSnapshot());
        var elapsed = Stopwatch.GetElapsedTime(began);
        await Task.Delay(Settle, ct);
        return new PodChurnResult(total, elapsed, AgentMemory(), work);
    }
}

/// <summary>Phase 4: <paramref name="Pods"/> pods came and went in <paramref name="Elapsed"/>; the agent's memory a few seconds later, and its work per pod.</summary>
internal sealed record PodChurnResult(int Pods, TimeSpan Elapsed, ProcessMemory After, AgentWork Work);

/// <summary>
/// The agent's work over a phase, per pod: its CPU time (user and system, from /proc) and the Engine API calls dockerd
/// logged meanwhile, by kind. Only phases in which the benchmark itself does not call the engine are counted (the churn's
/// check that no container is left after each round adds one list call per round).
/// </summary>
internal sealed record AgentWork(int Pods, double? CpuSeconds, IReadOnlyList<KeyValuePair<string, long>> Calls)
{
    public static AgentWork Between(int pods, (double? CpuSeconds, IReadOnlyDictionary<string, long> Calls) before, (double? CpuSeconds, IReadOnlyDictionary<string, long> Calls) after) =>
        new(pods, after.CpuSeconds - before.CpuSeconds, EngineCalls.Between(before.Calls, after.Calls));

    public double? CpuSecondsPerPod => CpuSeconds / Pods;

    public double CallsPerPod => Calls.Sum(c => c.Value) / (double)Pods;

    public override string ToString() =>
        $"{(CpuSecondsPerPod is { } cpu ? $"{cpu * 1000:0} ms" : "?")} agent CPU/pod, {CallsPerPod:0.0} Engine API calls/pod " +
        $"({string.Join(", ", Calls.Take(6).Select(c => $"{c.Key} {c.Value / (double)Pods:0.0}"))})";
}
