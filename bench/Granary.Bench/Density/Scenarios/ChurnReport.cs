using System.Globalization;
using ScottPlot;

namespace Granary.Bench;

/// <summary>
/// Writes a churn run's raw samples into its output folder: startup.csv (per pod: seconds into the run when the watch
/// first saw it and saw it Running), calls.csv (every create, patch and delete), reads.csv, timeline.csv, and two
/// charts: pods.png (pods seen created, bound and Running over time) and latency.png (p99 per verb and pod startup
/// p99, per five seconds).
/// </summary>
internal static class ChurnReport
{
    private const double Window = 5;

    public static IReadOnlyList<string> Write(ChurnRun run, string directory)
    {
        Directory.CreateDirectory(directory);
        return
        [
            DensityReport.WriteCsv(directory, "startup.csv", "pod,seen_s,running_s",
                run.Startups.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name},{s.Added:0.0000},{s.Running:0.0000}"))),
            DensityReport.WriteApiSamples(directory, "calls.csv", run.Calls),
            DensityReport.WriteApiSamples(directory, "reads.csv", run.Reads),
            DensityReport.WriteTimeline(directory, run.Timeline),
            DrawPods(run, Path.Combine(directory, "pods.png")),
            DrawLatency(run, Path.Combine(directory, "latency.png")),
        ];
    }

    private static string DrawPods(ChurnRun run, string path)
    {
        using var plot = new Plot();
        var seconds = run.Timeline.Select(t => t.Seconds).ToArray();
        foreach (var (label, values) in new[]
        {
            ("pods seen created (cumulative)", run.Timeline.Select(t => (double)t.Created)),
            ("live pods bound", run.Timeline.Select(t => (double)t.Bound)),
            ("live pods Running", run.Timeline.Select(t => (double)t.Running)),
        })
            plot.Add.ScatterLine(seconds, values.ToArray()).LegendText = label;
        return DensityReport.SaveChart(plot, path, $"Granary churn: {run.Operations} Deployment operations on {run.Options.Nodes} hollow nodes ({run.PodChurnPerSecond:0} pods/s of churn)", "seconds since the first operation", "pods");
    }

    private static string DrawLatency(ChurnRun run, string path)
    {
        using var plot = new Plot();
        foreach (var verb in ChurnRun.MutatingVerbs.Concat(ChurnRun.ReadVerbs))
            AddP99(plot, run.Calls.Concat(run.Reads).Where(s => s.Verb == verb && s.Ok).Select(s => (s.Seconds, s.LatencyMs)), $"{verb} p99");
        AddP99(plot, run.Startups.Select(s => (s.Running, 1000 * (s.Running - s.Added))), "pod startup p99");
        return DensityReport.SaveChart(plot, path, $"API latency and pod startup during the churn, p99 per {Window:0} s", "seconds since the first operation", "milliseconds");
    }

    private static void AddP99(Plot plot, IEnumerable<(double Seconds, double Ms)> samples, string label)
    {
        var windows = samples.GroupBy(s => Window * Math.Floor(s.Seconds / Window)).OrderBy(g => g.Key).ToList();
        if (windows.Count == 0)
            return;
        plot.Add.ScatterLine(windows.Select(g => g.Key).ToArray(), windows.Select(g => Percentiles.NearestRank([.. g.Select(s => s.Ms).Order()], 99)).ToArray()).LegendText = label;
    }
}
