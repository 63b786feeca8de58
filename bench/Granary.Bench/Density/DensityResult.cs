using System.Globalization;

namespace Granary.Bench;

/// <summary>Prints a density run's figures, the files it wrote and, last, the one machine-readable summary line.</summary>
internal static class DensityResult
{
    public static void Print(DensityRun run, DensityProcesses memory, BaselineResult baseline, IReadOnlyList<string> files, TextWriter output)
    {
        var o = run.Options;
        var startup = run.Startup;
        var creates = run.Creates;
        var busy = run.Timeline.Where(t => t.Running < o.Pods).ToList();
        double Average(Func<TimelineRow, double> field) => busy.Count == 0 ? 0 : busy.Average(field);
        output.WriteLine();
        output.WriteLine($"density: {o.Pods} pods on {o.Nodes} hollow nodes ({o.HollowProcesses} process(es)), {o.Silos} silo(s), {(o.Rate is { } r ? $"{r} creates/s asked" : $"full speed, {o.Concurrency} in flight")}");
        output.WriteLine($"  end to end (first create → last Running seen): {run.PodsPerSecond:0} pods/s");
        output.WriteLine($"  create calls:                                  {run.CreatesPerSecond:0} /s; latency {creates}");
        output.WriteLine($"  scheduling (first create → last bound):        {run.BindsPerSecond:0} pods/s");
        output.WriteLine($"  startup (create → Running seen by a watch):    {startup}");
        output.WriteLine($"  reads during the churn (1 client):             get {run.ReadsOf("get")}; list of 100 {run.ReadsOf("list")}; failed {run.FailedReads}");
        output.WriteLine($"  silo(s):   RSS {memory.SiloRss / 1048576.0:0} MB (peak {memory.SiloPeakRss / 1048576.0:0} MB), CPU {Average(t => t.SiloCpuPercent):0}% of one core on average while pods started");
        output.WriteLine($"  hollow:    RSS {memory.HollowRss / 1048576.0:0} MB (peak {memory.HollowPeakRss / 1048576.0:0} MB) = {memory.HollowRss / 1024.0 / o.Nodes:0} KB per node, CPU {Average(t => t.HollowCpuPercent):0}% of one core on average");
        output.WriteLine($"  redis:     {Average(t => t.RedisCommandsPerSecond):0} commands/s on average while pods started; {run.WatchEvents} watch events seen");
        output.WriteLine($"  pod object as the API returns it: {run.PodBytes} bytes");
        if (baseline.EtcdPutsPerSecond is { } etcd)
            output.WriteLine($"  beside the stores (values of {baseline.ValueBytes} B): redis-server {baseline.RedisWritesPerSecond:0} SET/s, etcd {etcd:0} puts/s; Granary creates/s ÷ etcd puts/s = {run.CreatesPerSecond / etcd:0.00}");
        else
            output.WriteLine("  beside the stores: skipped (--no-baseline)");
        output.WriteLine($"  files: {string.Join(", ", files)}");
        output.WriteLine(Summary(run, memory, baseline));
    }

    /// <summary>The last line; "na" where a figure was not measured.</summary>
    public static string Summary(DensityRun run, DensityProcesses memory, BaselineResult baseline) => string.Create(CultureInfo.InvariantCulture,
        $"density: nodes={run.Options.Nodes} pods={run.Options.Pods} pods_per_s={run.PodsPerSecond:0.0} startup_p99_ms={run.Startup.P99:0} " +
        $"api_p99_ms={run.Creates.P99:0} silo_rss_mb={memory.SiloRss / 1048576.0:0} " +
        $"etcd_puts_per_s={(baseline.EtcdPutsPerSecond is { } e ? e.ToString("0", CultureInfo.InvariantCulture) : "na")} " +
        $"creates_per_etcd_put={(baseline.EtcdPutsPerSecond is { } p ? (run.CreatesPerSecond / p).ToString("0.00", CultureInfo.InvariantCulture) : "na")}");
}
