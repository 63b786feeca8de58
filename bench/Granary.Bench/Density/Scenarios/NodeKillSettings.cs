using System.Globalization;

namespace Granary.Bench;

/// <summary>
/// The node lifecycle settings a --kill-nodes run gives its silo, and the parsing of the flags that set them. The
/// silo's own defaults are kept for the grace period and tolerations (already far shorter than kube's 40 s and 300 s);
/// the eviction rate limit is raised by default, since at the silo's and kube's 0.1 nodes/s a tenth of 1,000 nodes
/// would take over 16 minutes to be tainted, which measures the limiter rather than the control plane.
/// </summary>
internal static class NodeKillSettings
{
    /// <summary>Nodes tainted per second: the run's --node-eviction-rate, or every victim within a second.</summary>
    public static double EvictionRate(DensityOptions options) => options.EvictionRate ?? Math.Max(1, options.Victims);

    /// <summary>The silo flags for the run; none without --kill-nodes, so a plain run keeps every silo default.</summary>
    public static IReadOnlyList<string> SiloArguments(DensityOptions options) => options.Victims == 0 ? [] :
    [
        "--node-monitor-grace-period", $"{options.GracePeriodSeconds}s",
        "--default-not-ready-toleration-seconds", $"{options.TolerationSeconds}",
        "--default-unreachable-toleration-seconds", $"{options.TolerationSeconds}",
        "--node-eviction-rate", EvictionRate(options).ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>What the run changed, for the output.</summary>
    public static string Describe(DensityOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"node monitor grace period {options.GracePeriodSeconds} s (kube 40 s), not-ready/unreachable toleration {options.TolerationSeconds} s (kube 300 s), " +
        $"eviction rate {EvictionRate(options)} nodes/s (kube 0.1)");

    /// <summary>"10%" or "10": a share of the nodes above 0 and below 100.</summary>
    public static double ParsePercent(string name, string value) =>
        double.TryParse(value.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p > 0 && p < 100
            ? p : throw new UsageException($"{name} {value}: expected a share of the nodes above 0 and below 100, such as 10%");

    public static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"{name} {value}: expected 0 or a positive whole number");

    public static double PositiveRate(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 && double.IsFinite(r)
            ? r : throw new UsageException($"{name} {value}: expected a positive number of nodes per second, such as 0.1 or 10");
}
