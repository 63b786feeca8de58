namespace Granary.Bench;

/// <summary>
/// Whether memory grew: the least-squares slope of RSS over the second half of the run (the first half is warm-up:
/// caches fill, the GC sizes its heap, windows reach their caps), compared with a tolerance in MiB per minute.
/// </summary>
internal static class SoakVerdict
{
    /// <summary>The slope in MiB per minute of the samples taken at or after half the run; null with fewer than three.</summary>
    public static double? SecondHalfSlope(IReadOnlyList<(TimeSpan At, long RssBytes)> samples, TimeSpan duration)
    {
        var tail = samples.Where(s => s.At >= duration / 2).ToList();
        if (tail.Count < 3)
            return null;
        var xs = tail.Select(s => s.At.TotalMinutes).ToList();
        var ys = tail.Select(s => s.RssBytes / 1048576.0).ToList();
        var (mx, my) = (xs.Average(), ys.Average());
        var sxx = xs.Sum(x => (x - mx) * (x - mx));
        return sxx == 0 ? null : xs.Zip(ys).Sum(p => (p.First - mx) * (p.Second - my)) / sxx;
    }

    /// <summary>The verdict line.</summary>
    public static (bool Flat, string Line) Judge(double? slope, double tolerance) => slope switch
    {
        null => (false, "verdict: unknown (fewer than three samples in the second half; run longer or sample more often)"),
        // Rounded first, so a slope just below zero prints "+0.00", not "-+0.00" (a negative that rounds to zero takes the first section).
        { } s when s <= tolerance => (true, $"verdict: flat after warm-up (RSS slope {Math.Round(s, 2) + 0.0:+0.00;-0.00} MiB/min over the second half, tolerance {tolerance:0.##} MiB/min)"),
        { } s => (false, $"verdict: growing (RSS slope {s:+0.00} MiB/min over the second half, tolerance {tolerance:0.##} MiB/min)"),
    };
}
