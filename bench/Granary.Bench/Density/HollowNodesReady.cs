using System.Diagnostics;
using Granary.Client;

namespace Granary.Bench;

/// <summary>Waits, before a run's first call, until every hollow node is Ready as the scheduler sees it.</summary>
internal static class HollowNodesReady
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    /// <summary>Waits until <paramref name="expected"/> hollow nodes are Ready, printing how many are.</summary>
    public static async Task WaitAsync(GranaryClient client, int expected, TextWriter output, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var ready = 0;
        while (Stopwatch.GetElapsedTime(started) < Limit)
        {
            var nodes = await client.Nodes.ListAsync(new ListOptions(), ct);
            ready = nodes.Items.Count(n => n.Metadata.Name?.StartsWith(HollowProcesses.NodePrefix, StringComparison.Ordinal) == true
                && n.Status?.Conditions?.Find(c => c.Type == "Ready") is { Status: "True" });
            if (ready == expected)
            {
                output.WriteLine($"{ready} hollow nodes Ready {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s after they registered");
                return;
            }
            output.WriteLine($"  {ready}/{expected} hollow nodes Ready");
            // Nodes become Ready on the silo's schedule; a second between looks is enough and costs one list.
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        throw new BenchmarkException($"only {ready} of {expected} hollow nodes were Ready {Limit.TotalMinutes:0} minutes after they registered");
    }
}
