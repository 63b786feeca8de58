using System.Diagnostics;
using Granary.Hostile;

namespace Granary.Bench;

/// <summary>
/// The hostile command's wiring: a private cluster unless a server was given, the corpus and the slow clients
/// against it, the summary table and the silo's memory, then clean-up whatever happened. Wrong answers fail it.
/// </summary>
internal static class HostileCommand
{
    public static async Task RunAsync(HostileOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"hostile input: {options.Requests} requests, seed {options.Seed}, {options.Parallel} at a time, {options.Slow} slow clients of each kind; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        LocalCluster? cluster = null;
        try
        {
            // Disposed in the finally below, whatever happens in between.
#pragma warning disable CA2000
            if (options.StartsOwnCluster)
                cluster = await LocalCluster.StartAsync(ProcessHelpers.FindRepoRoot(), $"hostile-{Guid.NewGuid():N}"[..14], output, ct);
#pragma warning restore CA2000
            var access = cluster?.Api ?? Access(options);
            var target = new HostileTarget(access.Url, access.CertificateAuthority, access.Token);
            var ns = $"hostile-{options.Seed}-{Guid.NewGuid():N}"[..24].TrimEnd('-');
            var corpus = new HostileCorpus(ns);
            var requests = corpus.Generate(options.Requests, options.Seed);
            var rssBefore = cluster is null ? null : ProcessHelpers.RssBytes(cluster.Silo.Pid);

            await HostileRun.EnsureAsync(target, corpus.Setup(), [201, 409], ct);
            IReadOnlyList<HostileOutcome> outcomes;
            var clock = Stopwatch.StartNew();
            try
            {
                var slow = SlowClients.RunAsync(target, ns, options.Slow, ct);
                var fast = await HostileRun.RunAsync(target, requests, options.Parallel, ct);
                outcomes = [.. fast, .. await slow];
            }
            finally
            {
                await HostileRun.EnsureAsync(target, [corpus.Teardown()], [200, 202, 404], CancellationToken.None);
            }

            output.WriteLine();
            output.Write(HostileRun.Summary(outcomes));
            output.WriteLine($"{outcomes.Count} answers in {clock.Elapsed.TotalSeconds:0.0} s");
            if (cluster is not null)
            {
                var rssAfter = ProcessHelpers.RssBytes(cluster.Silo.Pid);
                output.WriteLine($"silo RSS: {Mib(rssBefore)} before, {Mib(rssAfter)} after, {Mib(ProcessHelpers.PeakRssBytes(cluster.Silo.Pid))} peak; silo {(cluster.Silo.HasExited ? "EXITED" : "still up")}");
                if (cluster.Silo.HasExited)
                    throw new BenchmarkException("the silo exited during the run");
            }
            var problems = HostileRun.Problems(outcomes);
            if (problems.Length > 0)
            {
                output.WriteLine();
                output.Write(problems);
                throw new BenchmarkException($"{outcomes.Count(o => o.Problem is not null)} of {outcomes.Count} answers are wrong (listed above)");
            }
        }
        catch (Exception) when (!ct.IsCancellationRequested && cluster is not null)
        {
            Console.Error.WriteLine(cluster.Silo.HasExited ? cluster.Silo.FormatTail() : $"silo log while ready: {cluster.Silo.Problems}");
            throw;
        }
        finally
        {
            if (cluster is not null)
                await cluster.DisposeAsync();
        }
    }

    private static ApiAccess Access(HostileOptions options)
    {
        var fromKubeconfig = options.Kubeconfig is null ? null : ApiAccess.FromKubeconfig(options.Kubeconfig);
        return options.Server is null ? fromKubeconfig! : new ApiAccess(options.Server, fromKubeconfig?.CertificateAuthority, fromKubeconfig?.Token);
    }

    private static string Mib(long? bytes) => bytes is { } b ? $"{b / (1024.0 * 1024):0} MiB" : "?";
}
