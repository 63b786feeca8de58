using System.Globalization;
using System.Text;
using ScottPlot;

namespace Granary.Bench;

/// <summary>
/// Writes a density run's raw samples into its output folder: pods.csv (per pod, seconds from the first create:
/// create started, create answered, first seen bound, first seen Running), reads.csv (every background read),
/// timeline.csv (one row a second), and two charts: running.png (pods created, bound and Running over time) and
/// latency.png (startup latency p50/p90/p99 of the pods that became Running in each second, create p99 per second).
/// </summary>
internal static class DensityReport
{
    public static IReadOnlyList<string> Write(DensityRun run, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>
        {
            WriteCsv(directory, "pods.csv", "pod,create_started_s,create_returned_s,bound_s,running_s",
                Enumerable.Range(0, run.Options.Pods).Select(i => Row(i, run.Seconds(run.CreateStarted[i]), run.Seconds(run.CreateReturned[i]), run.Seconds(run.BoundAt[i]), run.Seconds(run.RunningAt[i])))),
            WriteApiSamples(directory, "reads.csv", run.Reads),
            WriteTimeline(directory, run.Timeline),
            DrawProgress(run, Path.Combine(directory, "running.png")),
            DrawLatency(run, Path.Combine(directory, "latency.png")),
        };
        return files;
    }

    /// <summary>Every API call of a run, one row each: seconds into the run, verb, latency, 1 when it succeeded.</summary>
    public static string WriteApiSamples(string directory, string name, IEnumerable<ApiSample> samples) =>
        WriteCsv(directory, name, "at_s,verb,latency_ms,ok",
            samples.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Seconds:0.000},{r.Verb},{r.LatencyMs:0.00},{(r.Ok ? 1 : 0)}")));

    /// <summary>timeline.csv: the once-a-second samples of pods and processes.</summary>
    public static string WriteTimeline(string directory, IEnumerable<TimelineRow> rows) =>
        WriteCsv(directory, "timeline.csv", "at_s,created,bound,running,silo_rss_mb,silo_cpu_percent,hollow_rss_mb,hollow_cpu_percent,redis_commands_per_s",
            rows.Select(t => string.Create(CultureInfo.InvariantCulture,
                $"{t.Seconds:0.0},{t.Created},{t.Bound},{t.Running},{t.SiloRssMb:0.0},{t.SiloCpuPercent:0.0},{t.HollowRssMb:0.0},{t.HollowCpuPercent:0.0},{t.RedisCommandsPerSecond:0}")));

    /// <summary>Titles and labels a chart, puts its legend at the upper left and saves it as a 1000×600 PNG; returns the path.</summary>
    public static string SaveChart(Plot plot, string path, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
        return path;
    }

    private static string Row(int i, params double[] seconds) =>
        i.ToString(CultureInfo.InvariantCulture) + "," + string.Join(',', seconds.Select(s => double.IsNaN(s) ? "" : s.ToString("0.0000", CultureInfo.InvariantCulture)));

    /// <summary>Writes a CSV file of a header and rows into the folder; returns its path.</summary>
    public static string WriteCsv(string directory, string name, string header, IEnumerable<string> rows)
    {
        var path = Path.Combine(directory, name);
        var text = new StringBuilder(header).Append('\n');
        foreach (var row in rows)
            text.Append(row).Append('\n');
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>Cumulative counts over time, from the per-pod samples (exact, not the once-a-second timeline).</summary>
    private static string DrawProgress(DensityRun run, string path)
    {
        using var plot = new Plot();
        AddCumulative(plot, run.CreateReturned.Select(run.Seconds), "created");
        AddCumulative(plot, run.BoundAt.Select(run.Seconds), "bound");
        AddCumulative(plot, run.RunningAt.Select(run.Seconds), "Running (seen by a watch)");
        return SaveChart(plot, path, $"Granary density: {run.Options.Pods} pods on {run.Options.Nodes} hollow nodes ({run.PodsPerSecond:0} pods/s end to end)", "seconds since the first create", "pods");
    }

    private static void AddCumulative(Plot plot, IEnumerable<double> seconds, string label)
    {
        var sorted = seconds.Where(s => !double.IsNaN(s)).Order().ToArray();
        var counts = Enumerable.Range(1, sorted.Length).Select(n => (double)n).ToArray();
        var line = plot.Add.ScatterLine(sorted, counts);
        line.LegendText = label;
    }

    /// <summary>Per second of the run: startup latency percentiles of the pods that became Running then, and the create calls' p99.</summary>
    private static string DrawLatency(DensityRun run, string path)
    {
        using var plot = new Plot();
        var startup = Enumerable.Range(0, run.Options.Pods)
            .Select(i => (Second: Math.Floor(run.Seconds(run.RunningAt[i])), Ms: 1000 * (run.Seconds(run.RunningAt[i]) - run.Seconds(run.CreateStarted[i]))))
            .GroupBy(p => p.Second).OrderBy(g => g.Key).ToList();
        foreach (var (percent, label) in new[] { (50.0, "startup p50"), (90.0, "startup p90"), (99.0, "startup p99") })
        {
            var line = plot.Add.ScatterLine(startup.Select(g => g.Key).ToArray(),
                startup.Select(g => Percentiles.NearestRank([.. g.Select(p => p.Ms).Order()], percent)).ToArray());
            line.LegendText = label;
        }
        var creates = Enumerable.Range(0, run.Options.Pods)
            .Select(i => (Second: Math.Floor(run.Seconds(run.CreateStarted[i])), Ms: 1000 * (run.Seconds(run.CreateReturned[i]) - run.Seconds(run.CreateStarted[i]))))
            .GroupBy(p => p.Second).OrderBy(g => g.Key).ToList();
        var createLine = plot.Add.ScatterLine(creates.Select(g => g.Key).ToArray(),
            creates.Select(g => Percentiles.NearestRank([.. g.Select(p => p.Ms).Order()], 99)).ToArray());
        createLine.LegendText = "create call p99";
        return SaveChart(plot, path, "Pod startup (create → Running seen by a watch) and create latency, per second", "seconds since the first create", "milliseconds");
    }
}
