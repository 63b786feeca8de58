using System.Diagnostics;
using Granary.NodeAgent.Runtime;

namespace Granary.Bench;

/// <summary>
/// Phase 1 of the pod-startup benchmark: one container, then one pod, at a time, each only after the one before is
/// running, alternating the raw engine and Granary so that both see the same moment's load. What one user sees who
/// asks for one pod, next to what the engine takes for the same container.
/// </summary>
internal sealed partial class PodStartupBenchmark
{
    private const string OneRawPrefix = "bench-one-";

    private async Task<OneAtATimeResult> OneAtATimeAsync(CancellationToken ct)
    {
        var count = options.OneAtATime;
        var limit = options.EffectiveTimeout;
        output.WriteLine($"[1/4] one at a time: {count} containers through the Engine API and {count} pods through Granary, alternating, " +
            $"each once the one before is running (limit {limit.TotalSeconds:0} s a pod)");
        var engine = new double[count];
        var granary = new double[count];
        var ids = new string[count];
        var done = 0;
        await using var watch = await PodWatch.StartAsync(client.Pods, count, [PodMilestone.Running, PodMilestone.Deleted], ct);
        var running = watch[PodMilestone.Running];
        await using (new ProgressPrinter(output, "pairs", count, () => Volatile.Read(ref done)))
        {
            for (var i = 0; i < count; i++)
            {
                var name = BenchObjects.Name(OneRawPrefix, i, count, 3);
                var began = Stopwatch.GetTimestamp();
                try
                {
                    ids[i] = await Engine.CreateAsync(RawContainer(name), ct);
                    await Engine.StartAsync(ids[i], ct);
                    await WaitUntilRunningAsync(name, ids[i], ct);
                }
                catch (RuntimeException e)
                {
                    throw BenchmarkException.Failed($"raw engine: starting container {name} failed after {i} were running", e);
                }
                engine[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;

                var pod = BenchObjects.PodName(i, count);
                began = Stopwatch.GetTimestamp();
                try
                {
                    await client.Pods.CreateAsync(BenchObjects.SleepingPod(pod), ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw BenchmarkException.Failed($"creating pod {BenchObjects.Namespace}/{pod} failed after {i} pods", e);
                }
                if (!await running.WaitOneAsync(i, limit, ct))
                    throw new BenchmarkException($"pod {pod} was not seen Running {limit.TotalSeconds:0} s after its create call. {DescribeMissing(watch, count, PodMilestone.Running)}{AgentState()}");
                granary[i] = Milliseconds(began, running.At(i));
                Volatile.Write(ref done, i + 1);
            }
        }

        output.WriteLine($"      removing the {count} containers and deleting the {count} pods");
        foreach (var id in ids)
            await Engine.RemoveAsync(id, ct);
        await DeletePodsAsync(watch, count, ct);
        return new OneAtATimeResult(Percentiles.Summarize(engine), Percentiles.Summarize(granary));
    }
}

/// <summary>Phase 1: per container or pod, its create call -> running (the engine's inspect, or the watch for Granary).</summary>
internal sealed record OneAtATimeResult(LatencySummary Engine, LatencySummary Granary)
{
    /// <summary>Granary's median over the engine's: the goal is at most 1.25.</summary>
    public double Ratio => Granary.P50 / Engine.P50;
}
