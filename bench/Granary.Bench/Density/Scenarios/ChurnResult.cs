using System.Globalization;

namespace Granary.Bench;

/// <summary>Prints a churn run's figures, the files it wrote and, last, its one machine-readable summary line.</summary>
internal static class ChurnResult
{
    public static void Print(ChurnRun run, DensityProcesses memory, IReadOnlyList<string> files, TextWriter output)
    {
        var o = run.Options;
        var busy = run.Timeline.Where(t => t.Seconds <= run.ChurnSeconds).ToList();
        double Average(Func<TimelineRow, double> field) => busy.Count == 0 ? 0 : busy.Average(field);
        if (run.Kill is { } kill)
            NodeKill.Print(kill, output);
        output.WriteLine();
        output.WriteLine($"density churn: {run.Operations} Deployment operations in {run.ChurnSeconds:0.0} s ({run.OperationsPerSecond:0.00}/s, {run.PodChurnPerSecond:0.0} pods/s of churn) " +
            $"on {o.Nodes} hollow nodes, {o.Silos} silo(s)");
        foreach (var verb in ChurnRun.MutatingVerbs.Concat(ChurnRun.ReadVerbs))
            output.WriteLine($"  {verb,-7} {run.Of(verb)}");
        output.WriteLine($"  failed create/patch/delete calls: {run.FailedCalls}; reads not answered 200 (a pod deleted meanwhile answers 404): {run.UnansweredReads}");
        output.WriteLine($"  startup (ReplicaSet's create seen → Running seen by a watch): {run.Startup}");
        output.WriteLine($"  settled (every pod left Running) {run.SettleSeconds:0.0} s after the churn; every pod gone {run.GcSeconds:0.0} s after the final deletes");
        output.WriteLine($"  silo(s):   RSS {memory.SiloRss / 1048576.0:0} MB (peak {memory.SiloPeakRss / 1048576.0:0} MB), CPU {Average(t => t.SiloCpuPercent):0}% of one core on average during the churn");
        output.WriteLine($"  hollow:    RSS {memory.HollowRss / 1048576.0:0} MB (peak {memory.HollowPeakRss / 1048576.0:0} MB), CPU {Average(t => t.HollowCpuPercent):0}% of one core on average");
        output.WriteLine($"  redis:     {Average(t => t.RedisCommandsPerSecond):0} commands/s on average during the churn");
        output.WriteLine($"  files: {string.Join(", ", files)}");
        output.WriteLine(Summary(run, memory));
    }

    /// <summary>The last line.</summary>
    public static string Summary(ChurnRun run, DensityProcesses memory) => string.Create(CultureInfo.InvariantCulture,
        $"density-churn: nodes={run.Options.Nodes} operations={run.Operations} ops_per_s={run.OperationsPerSecond:0.00} pod_churn_per_s={run.PodChurnPerSecond:0.0} " +
        $"startup_p50_ms={run.Startup.P50:0} startup_p99_ms={run.Startup.P99:0} mutating_p99_ms={run.Mutating.P99:0} " +
        $"create_p99_ms={run.Of("create").P99:0} patch_p99_ms={run.Of("patch").P99:0} delete_p99_ms={run.Of("delete").P99:0} " +
        $"get_p99_ms={run.Of("get").P99:0} list_p99_ms={run.Of("list").P99:0} failed={run.FailedCalls} gc_s={run.GcSeconds:0.0} silo_rss_mb={memory.SiloRss / 1048576.0:0}");
}
