namespace Granary.Bench;

/// <summary>What the proxy benchmark measured, direct and through the proxy.</summary>
internal sealed record ProxyResult(
    double DirectMBps,
    double ProxiedMBps,
    LatencySummary DirectLatency,
    LatencySummary ProxiedLatency)
{
    public void Print(TextWriter output)
    {
        output.WriteLine($"bulk throughput: direct {DirectMBps:0} MB/s, proxied {ProxiedMBps:0} MB/s ({ProxiedMBps / DirectMBps:0.00}x direct; goal >= 0.80x)");
        output.WriteLine($"round trip, direct:  {Format(DirectLatency)}");
        output.WriteLine($"round trip, proxied: {Format(ProxiedLatency)}");
        output.WriteLine($"added by the proxy: p50 {ProxiedLatency.P50 - DirectLatency.P50:0.000} ms, p99 {ProxiedLatency.P99 - DirectLatency.P99:0.000} ms (goal p99 <= 1 ms)");
        }

    // Loopback round trips are tens of microseconds: the shared summary's 0.1 ms steps would hide them.
    private static string Format(LatencySummary s) => $"p50 {s.P50:0.000} ms, p90 {s.P90:0.000} ms, p99 {s.P99:0.000} ms, max {s.Max:0.000} ms ({s.Count} samples)";
}
