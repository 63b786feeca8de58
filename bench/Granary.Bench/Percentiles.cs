namespace Granary.Bench;

/// <summary>A latency distribution in milliseconds, from every sample (no histogram buckets, no sampling).</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max)
{
    public override string ToString() =>
        Count == 0 ? "no samples" : $"p50 {P50:0.0} ms, p90 {P90:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms";
}

internal static class Percentiles
{
    /// <summary>Sorts a copy of the samples and reads p50/p90/p99/max by nearest rank.</summary>
    public static LatencySummary Summarize(IEnumerable<double> samplesMs)
    {
        var sorted = samplesMs.ToArray();
        Array.Sort(sorted);
        return sorted.Length == 0
            ? new LatencySummary(0, 0, 0, 0, 0)
            : new LatencySummary(sorted.Length, NearestRank(sorted, 50), NearestRank(sorted, 90), NearestRank(sorted, 99), sorted[^1]);
    }

    /// <summary>
    /// The nearest-rank percentile of sorted samples: the smallest sample with at least p % of all samples at or
    /// below it, i.e. the one at rank ceil(p/100 · n). No interpolation, so the result is always a measured value.
    /// </summary>
    public static double NearestRank(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0)
            throw new ArgumentException("no samples", nameof(sorted));
        if (percent is <= 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile is in (0, 100]");
        // Multiply first: p·n is exact for whole p, so a whole-number rank is not nudged up by rounding (0.99 · 200).
        var rank = (int)Math.Ceiling(percent * sorted.Count / 100.0);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
