namespace Granary.Bench;

/// <summary>What the proxy benchmark measured, direct and through the proxy.</summary>
internal sealed record ProxyResult(
    Granary.NodeAgent.Networking.Proxy.ProxyMode Mode,
    IReadOnlyList<ThroughputSample> Direct,
    IReadOnlyList<ThroughputSample> Proxied,
    LatencySummary DirectLatency,
    LatencySummary ProxiedLatency)
{
    public void Print(TextWriter output)
    {
        var (direct, proxied) = (Median(Direct, s => s.MBps), Median(Proxied, s => s.MBps));
        var (bestDirect, bestProxied) = (Direct.Max(s => s.MBps), Proxied.Max(s => s.MBps));
        output.WriteLine($"bulk throughput (median of {Direct.Count}): direct {direct:0} MB/s, proxied {proxied:0} MB/s ({proxied / direct:0.00}x direct; goal >= 0.80x)");
        output.WriteLine($"bulk throughput (best of {Direct.Count}): direct {bestDirect:0} MB/s, proxied {bestProxied:0} MB/s ({bestProxied / bestDirect:0.00}x)");
        var (directCpu, proxiedCpu) = (Median(Direct, s => s.CpuSecondsPerGB), Median(Proxied, s => s.CpuSecondsPerGB));
        output.WriteLine($"CPU per GB (median): direct {directCpu:0.00} s, proxied {proxiedCpu:0.00} s (the proxy adds {proxiedCpu - directCpu:0.00} s/GB)");
        output.WriteLine($"round trip, direct:  {Format(DirectLatency)}");
        output.WriteLine($"round trip, proxied: {Format(ProxiedLatency)}");
        output.WriteLine($"added by the proxy: p50 {ProxiedLatency.P50 - DirectLatency.P50:0.000} ms, p99 {ProxiedLatency.P99 - DirectLatency.P99:0.000} ms (goal p99 <= 1 ms)");
        output.WriteLine(FormattableString.Invariant(
            $"proxy-summary mode={Mode.ToString().ToLowerInvariant()} bulk_ratio={proxied / direct:0.00} direct_mbps={direct:0} proxied_mbps={proxied:0} added_p50_ms={ProxiedLatency.P50 - DirectLatency.P50:0.000} added_p99_ms={ProxiedLatency.P99 - DirectLatency.P99:0.000} load={ProcessHelpers.LoadAverage()}"));
    }

    private static double Median(IReadOnlyList<ThroughputSample> samples, Func<ThroughputSample, double> figure) =>
        Percentiles.NearestRank([.. samples.Select(figure).Order()], 50);

    // Loopback round trips are tens of microseconds: the shared summary's 0.1 ms steps would hide them.
    private static string Format(LatencySummary s) => $"p50 {s.P50:0.000} ms, p90 {s.P90:0.000} ms, p99 {s.P99:0.000} ms, max {s.Max:0.000} ms ({s.Count} samples)";
}
