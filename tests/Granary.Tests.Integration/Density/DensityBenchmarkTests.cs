using System.Text.RegularExpressions;

namespace Granary.Tests.Integration.Density;

/// <summary>
/// A short run of the density benchmark as a user runs it (bench/Granary.Bench density, Release build from the
/// solution's Release build): 20 hollow nodes in two processes, 300 pods, no baselines. Checks that it works —
/// every pod Running, the summary line complete, the CSV files and charts written — never how fast.
/// The hollow nodes take 127.3.0.1–20 and pod blocks of 127.64.0.0/10; the cluster its own free ports.
/// </summary>
public sealed partial class DensityBenchmarkTests
{
    private const int Nodes = 20;
    private const int Pods = 300;
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task ShortRun_EveryPodRunning_SummaryCsvAndChartsWritten()
    {
        using var run = await BenchProcess.RunAsync(["density", "--nodes", $"{Nodes}", "--pods", $"{Pods}", "--hollow-processes", "2", "--no-baseline", "--timeout", "120"], RunLimit);
        Assert.True(run.ExitCode == 0, $"phase run: the density benchmark failed: {run.Describe()}");
        var text = run.Stdout;
        var output = run.Output;

        var last = text.TrimEnd().Split('\n').Where(l => l.StartsWith("density: nodes=", StringComparison.Ordinal)).LastOrDefault();
        Assert.True(last is not null, $"phase summary: no summary line; stdout tail: {run.Tail}");
        var summary = Summary().Match(last);
        Assert.True(summary.Success, $"phase summary: the line does not have every field: {last}");
        Assert.Equal(($"{Nodes}", $"{Pods}"), (summary.Groups["nodes"].Value, summary.Groups["pods"].Value));
        Assert.Equal(("na", "na"), (summary.Groups["etcd"].Value, summary.Groups["ratio"].Value));

        // Every pod has a Running time in the raw samples.
        var rows = File.ReadAllLines(Path.Combine(output, "pods.csv"));
        Assert.Equal("pod,create_started_s,create_returned_s,bound_s,running_s", rows[0]);
        Assert.Equal(Pods, rows.Length - 1);
        Assert.All(rows.Skip(1), row => Assert.False(string.IsNullOrEmpty(row.Split(',')[4]), $"pod row without a Running time: {row}"));
        Assert.True(File.ReadAllLines(Path.Combine(output, "timeline.csv")).Length > 1, "timeline.csv has no samples");
        Assert.True(File.Exists(Path.Combine(output, "reads.csv")));
        foreach (var chart in new[] { "running.png", "latency.png" })
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(output, chart))[..4]);
    }

    [GeneratedRegex(@"^density: nodes=(?<nodes>\d+) pods=(?<pods>\d+) pods_per_s=[0-9.]+ startup_p99_ms=\d+ api_p99_ms=\d+ silo_rss_mb=\d+ etcd_puts_per_s=(?<etcd>\S+) creates_per_etcd_put=(?<ratio>\S+)$")]
    private static partial Regex Summary();
}
