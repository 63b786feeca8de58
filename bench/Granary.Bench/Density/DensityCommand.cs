using Granary.Client;

namespace Granary.Bench;

/// <summary>
/// The density command's wiring: a private redis-server and silo(s), the hollow-node processes; the run; its figures,
/// files and, with the silos and hollow nodes stopped, the Redis and etcd baselines; then everything stopped.
/// </summary>
internal static class DensityCommand
{
    public static async Task RunAsync(DensityOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"density benchmark: {options.Nodes} hollow nodes in {options.HollowProcesses} process(es), {options.Pods} pods, {options.Silos} silo(s); " +
            $"{CpuPinning.MachineCores()} cores, load {ProcessHelpers.LoadAverage()}");
        var repoRoot = ProcessHelpers.FindRepoRoot();
        var pinning = options.Pinning(CpuPinning.MachineCores());
        if (pinning is not null)
            output.WriteLine($"pinned with taskset: {pinning.Describe()}");
        LocalCluster? cluster = null;
        HollowProcesses? hollow = null;
        try
        {
            // Both are disposed in the finally below: the hollow nodes first, so they do not report the silos' stop.
#pragma warning disable CA2000
            cluster = await LocalCluster.StartAsync(repoRoot, $"bench-{Guid.NewGuid():N}"[..14], output, ct, NodeKillSettings.SiloArguments(options), options.Silos, pinning);
            hollow = await HollowProcesses.StartAsync(repoRoot, cluster, options.Nodes, options.Pods, options.HollowProcesses, output, ct, pinning?.Rest, options.Victims);
#pragma warning restore CA2000
            await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [.. cluster.Gateways], ClusterId = cluster.ClusterId }, ct);
            if (options.Scenario == DensityOptions.ChurnScenario)
            {
                var churn = await new ChurnBenchmark(cluster, hollow, client, options, output).RunAsync(ct);
                ChurnResult.Print(churn, Memory(cluster, hollow), ChurnReport.Write(churn, Path.GetFullPath(options.OutputDirectory)), output);
                return;
            }
            var run = await new DensityBenchmark(cluster, hollow, client, options, output).RunAsync(ct);
            var kill = options.Victims > 0 ? await new NodeKill(client, hollow, options, output).RunAsync(ct) : null;
            var silo = Memory(cluster, hollow);
            var files = DensityReport.Write(run, Path.GetFullPath(options.OutputDirectory));

            var baseline = BaselineResult.Skipped;
            if (options.Baseline)
            {
                // Measured with the control plane stopped, so neither store shares the cores with it.
                await hollow.DisposeAsync();
                hollow = null;
                await cluster.StopSilosAsync();
                baseline = await BaselineResult.MeasureAsync(cluster.Redis, run.PodBytes, output, ct);
            }
            if (kill is not null)
                NodeKill.Print(kill, output);
            DensityResult.Print(run, silo, baseline, files, output);
        }
        finally
        {
            if (hollow is not null)
                await hollow.DisposeAsync();
            if (cluster is not null)
                await cluster.DisposeAsync();
        }
    }

    private static DensityProcesses Memory(LocalCluster cluster, HollowProcesses hollow) => new(
        cluster.Silos.Sum(s => ProcessHelpers.PeakRssBytes(s.Pid) ?? 0), cluster.Silos.Sum(s => ProcessHelpers.RssBytes(s.Pid) ?? 0),
        hollow.Processes.Sum(p => ProcessHelpers.PeakRssBytes(p.Pid) ?? 0), hollow.Processes.Sum(p => ProcessHelpers.RssBytes(p.Pid) ?? 0));
}

/// <summary>Memory of the silos and hollow processes at the end of the run: peak (VmHWM) and now (VmRSS), summed, in bytes.</summary>
internal sealed record DensityProcesses(long SiloPeakRss, long SiloRss, long HollowPeakRss, long HollowRss);
