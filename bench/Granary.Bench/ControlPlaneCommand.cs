using Granary.Client;

namespace Granary.Bench;

/// <summary>The control-plane command's wiring: start a private cluster unless one was given, run, print, clean up.</summary>
internal static class ControlPlaneCommand
{
    public static async Task RunAsync(ControlPlaneOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"control-plane benchmark: {options.Nodes} nodes, {options.Pods} pods, {options.Concurrency} in flight; {Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        LocalCluster? cluster = null;
        try
        {
            // Disposed in the finally below, whatever happens in between.
#pragma warning disable CA2000
            if (options.StartsOwnCluster)
                cluster = await LocalCluster.StartAsync(ProcessHelpers.FindRepoRoot(), options.ClusterId ?? $"bench-{Guid.NewGuid():N}"[..14], output, ct);
#pragma warning restore CA2000

            var clientOptions = cluster is not null
                ? new GranaryClientOptions { Gateways = [cluster.Gateway], ClusterId = cluster.ClusterId }
                : new GranaryClientOptions { Redis = options.Redis, Gateways = options.Gateway is null ? [] : [options.Gateway], ClusterId = options.ClusterId ?? "granary" };
            ControlPlaneResult result;
            await using (var client = await GranaryClient.ConnectAsync(clientOptions, ct))
                result = await new ControlPlaneBenchmark(client, options, output).RunAsync(ct);

            if (cluster is not null)
                result = result with { SiloPeakRssBytes = ProcessHelpers.PeakRssBytes(cluster.Silo.Pid), SiloLog = cluster.Silo.Problems.ToString() };
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
