namespace Granary.Bench;

/// <summary>
/// The kube-api command's wiring: start a private cluster (redis-server and a silo in Redis mode) unless an API was
/// given, run, print, clean up whatever happened.
/// </summary>
internal static class KubeApiCommand
{
    public static async Task RunAsync(KubeApiOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"kube-api benchmark: {options.Clients} clients, {options.Requests} requests of each verb, lists of {options.Limit}; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        LocalCluster? cluster = null;
        try
        {
            // Disposed in the finally below, whatever happens in between.
#pragma warning disable CA2000
            if (options.StartsOwnCluster)
                cluster = await LocalCluster.StartAsync(ProcessHelpers.FindRepoRoot(), $"bench-{Guid.NewGuid():N}"[..14], output, ct);
#pragma warning restore CA2000
            var rssAtStart = cluster is null ? null : ProcessHelpers.RssBytes(cluster.Silo.Pid);

            KubeApiResult result;
            using (var benchmark = new KubeApiBenchmark(cluster?.Api ?? ApiAccess.Plain(options.Api!), options, output))
            {
                try
                {
                    result = await benchmark.RunAsync(ct);
                }
                finally
                {
                    // Someone else's cluster is left as it was found; a private one goes away whole.
                    if (cluster is null)
                        await benchmark.DeleteNamespacesAsync(CancellationToken.None);
                }
            }

            if (cluster is not null)
            {
                result = result with
                {
                    SiloRssAtStartBytes = rssAtStart,
                    SiloRssAtEndBytes = ProcessHelpers.RssBytes(cluster.Silo.Pid),
                    SiloPeakRssBytes = ProcessHelpers.PeakRssBytes(cluster.Silo.Pid),
                    SiloLog = cluster.Silo.Problems.ToString(),
                };
            }
            result.Print(output);
        }
        catch (Exception) when (!ct.IsCancellationRequested && cluster is not null)
        {
            // What the silo said goes before the one-line error the caller prints.
            Console.Error.WriteLine(cluster.Silo.HasExited ? cluster.Silo.FormatTail() : $"silo log while ready: {cluster.Silo.Problems}");
            throw;
        }
        finally
        {
            if (cluster is not null)
                await cluster.DisposeAsync();
        }
    }
}
