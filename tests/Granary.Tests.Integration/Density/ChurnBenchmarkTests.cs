using System.Globalization;
using System.Text.RegularExpressions;

namespace Granary.Tests.Integration.Density;

/// <summary>
/// A short run of the density benchmark's churn scenario with --kill-nodes, as a user runs it: 20 hollow nodes,
/// Deployments created, scaled and deleted for 10 s, then 2 of the 20 nodes killed (kill -9 of their own process).
/// Checks that it works — the killed nodes marked NotReady, their pods evicted and every ReplicaSet's pod replaced
/// elsewhere, every Deployment's pods gone at the end, both summary lines complete, the files written — never how fast.
/// The silo runs with a 6 s grace period and 2 s tolerations so that the test stays short. The hollow nodes take
/// 127.3.0.1–20 and pod blocks of 127.64.0.0/10; the cluster its own free ports.
/// </summary>
public sealed partial class ChurnBenchmarkTests
{
    private const int Nodes = 20;
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(150);
    private static readonly string[] KillTimes = ["notready", "evicted", "replaced"];
    private static readonly string[] NeededVerbs = ["create", "delete"];

    [Fact]
    public async Task ChurnWithKilledNodes_PodsReplacedAndCollected_SummariesAndFilesWritten()
    {
        using var run = await BenchProcess.RunAsync(
        [
            "density", "--scenario", "churn", "--nodes", $"{Nodes}", "--pods", "300", "--duration", "10", "--kill-nodes", "10%",
            "--node-monitor-grace-period", "6", "--toleration-seconds", "2", "--no-baseline", "--timeout", "60",
        ], RunLimit);
        Assert.True(run.ExitCode == 0, $"phase run: the churn benchmark failed: {run.Describe()}");
        var output = run.Output;
        var lines = run.Stdout.TrimEnd().Split('\n');

        var killAt = Array.FindLastIndex(lines, l => l.StartsWith("density-kill: ", StringComparison.Ordinal));
        var churnAt = Array.FindLastIndex(lines, l => l.StartsWith("density-churn: ", StringComparison.Ordinal));
        Assert.True(killAt >= 0 && churnAt > killAt, $"phase summary: a density-kill line, then a density-churn line, was expected; stdout tail: {run.Tail}");
        var kill = KillSummary().Match(lines[killAt]);
        Assert.True(kill.Success, $"phase kill: no complete density-kill line; stdout tail: {run.Tail}");
        Assert.Equal(($"{Nodes}", "2", "6", "2"), (kill.Groups["nodes"].Value, kill.Groups["killed"].Value, kill.Groups["grace"].Value, kill.Groups["toleration"].Value));
        // Every pod of the churn belongs to a ReplicaSet, so each pod on a killed node is owed a replacement, and got one.
        var lost = int.Parse(kill.Groups["lost"].Value, CultureInfo.InvariantCulture);
        Assert.True(lost > 0, $"phase kill: no pod was on the killed nodes, so nothing was evicted or replaced: {kill.Value}");
        Assert.Equal(kill.Groups["lost"].Value, kill.Groups["owned"].Value);
        Assert.All(KillTimes, g => Assert.NotEqual("na", kill.Groups[g].Value));

        var churn = ChurnSummary().Match(lines[churnAt]);
        Assert.True(churn.Success, $"phase summary: the density-churn line does not have every field: {lines[churnAt]}");
        Assert.Equal($"{Nodes}", churn.Groups["nodes"].Value);
        Assert.True(int.Parse(churn.Groups["operations"].Value, CultureInfo.InvariantCulture) > 0, $"phase summary: no operation was issued: {churn.Value}");
        Assert.Equal("0", churn.Groups["failed"].Value);

        var startups = File.ReadAllLines(Path.Combine(output, "startup.csv"));
        Assert.Equal("pod,seen_s,running_s", startups[0]);
        Assert.True(startups.Length > lost + 1, $"startup.csv has {startups.Length - 1} pods; the replacements alone were {lost}");
        var verbs = File.ReadAllLines(Path.Combine(output, "calls.csv")).Skip(1).Select(r => r.Split(',')[1]).ToHashSet();
        Assert.True(verbs.IsSupersetOf(NeededVerbs), $"calls.csv holds only the verbs {string.Join(", ", verbs)}");
        Assert.True(File.ReadAllLines(Path.Combine(output, "timeline.csv")).Length > 1, "timeline.csv has no samples");
        Assert.True(File.ReadAllLines(Path.Combine(output, "reads.csv")).Length > 1, "reads.csv has no samples");
        foreach (var chart in new[] { "pods.png", "latency.png" })
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(output, chart))[..4]);
    }

    [GeneratedRegex(@"^density-kill: nodes=(?<nodes>\d+) killed=(?<killed>\d+) pods_on_killed=(?<lost>\d+) owned=(?<owned>\d+) notready_s=(?<notready>[0-9.]+|na) evicted_s=(?<evicted>[0-9.]+|na) replaced_s=(?<replaced>[0-9.]+|na) grace_s=(?<grace>\d+) toleration_s=(?<toleration>\d+) eviction_rate=[0-9.]+$")]
    private static partial Regex KillSummary();

    [GeneratedRegex(@"^density-churn: nodes=(?<nodes>\d+) operations=(?<operations>\d+) ops_per_s=[0-9.]+ pod_churn_per_s=[0-9.]+ startup_p50_ms=\d+ startup_p99_ms=\d+ mutating_p99_ms=\d+ create_p99_ms=\d+ patch_p99_ms=\d+ delete_p99_ms=\d+ get_p99_ms=\d+ list_p99_ms=\d+ failed=(?<failed>\d+) gc_s=[0-9.]+ silo_rss_mb=\d+$")]
    private static partial Regex ChurnSummary();
}
