using Granary.Client;

namespace Granary.Bench;

/// <summary>
/// The pod-startup command's wiring: a private dockerd, redis-server and silo, and one agent; run; print; stop
/// everything (agent, dockerd, silo, redis-server) whatever happened.
/// </summary>
internal static class PodStartupCommand
{
    public static async Task RunAsync(PodStartupOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"pod-startup benchmark: {options.OneAtATime} one at a time, a burst of {options.Pods} with {options.Concurrency} in flight, " +
            $"churn {options.Churn}; {Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        var repoRoot = ProcessHelpers.FindRepoRoot();
        PrivateDockerd? dockerd = null;
        LocalCluster? cluster = null;
        LocalAgent? agent = null;
        try
        {
            // All three are disposed in the finally below, in the order that keeps the agent from reporting the others' stop.
#pragma warning disable CA2000
            dockerd = await PrivateDockerd.StartAsync(output, ct);
            cluster = await LocalCluster.StartAsync(repoRoot, $"bench-{Guid.NewGuid():N}"[..14], output, ct);
            agent = await LocalAgent.StartAsync(repoRoot, cluster, dockerd.Endpoint, Math.Max(options.Pods, options.OneAtATime), output, ct, options.AgentDll);
#pragma warning restore CA2000

            PodStartupResult result;
            await using (var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [cluster.Gateway], ClusterId = cluster.ClusterId }, ct))
            {
                await agent.WaitUntilNodeReadyAsync(client, ct);
                result = await new PodStartupBenchmark(client, dockerd, agent, options, output).RunAsync(ct);
            }
            result = result with
            {
                SiloPeakRssBytes = ProcessHelpers.PeakRssBytes(cluster.Silo.Pid),
                SiloLog = cluster.Silo.Problems.ToString(),
                AgentLog = agent.Process.Problems.ToString(),
                DockerdLog = dockerd.Process.Problems.ToString(),
            };
            result.Print(output);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // What the processes said goes before the one-line error the caller prints.
            foreach (var child in new[] { agent?.Process, cluster?.Silo, dockerd?.Process })
            {
                if (child is not null)
                    Console.Error.WriteLine(child.HasExited ? child.FormatTail() : $"{child.Name} log while ready: {child.Problems}");
            }
            throw;
        }
        finally
        {
            // The agent first, so that it does not report a missing engine or control plane while they stop.
            if (agent is not null)
                await agent.DisposeAsync();
            if (dockerd is not null)
                await dockerd.DisposeAsync();
            if (cluster is not null)
                await cluster.DisposeAsync();
        }
    }
}
