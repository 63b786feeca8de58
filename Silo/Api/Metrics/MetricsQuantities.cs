using System.Globalization;

namespace Granary.Silo.Api.Metrics;

/// <summary>
/// The text metrics-server's objects carry, as Go's apimachinery prints it: CPU as a decimal quantity of nanocores in its
/// canonical form (109755133n, 250u, 5m, 2), memory as a binary one (1442304Ki, 4Mi, or plain bytes), the window as a Go
/// duration (15.004s, 1m0.5s).
/// </summary>
public static class MetricsQuantities
{
    public static string Cpu(long nanocores)
    {
        if (nanocores == 0)
            return "0";
        if (nanocores % 1_000_000_000 == 0)
            return (nanocores / 1_000_000_000).ToString(CultureInfo.InvariantCulture);
        if (nanocores % 1_000_000 == 0)
            return (nanocores / 1_000_000).ToString(CultureInfo.InvariantCulture) + "m";
        if (nanocores % 1_000 == 0)
            return (nanocores / 1_000).ToString(CultureInfo.InvariantCulture) + "u";
        return nanocores.ToString(CultureInfo.InvariantCulture) + "n";
    }

    public static string Memory(long bytes)
    {
        string[] suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        var i = 0;
        while (bytes != 0 && bytes % 1024 == 0 && i < suffixes.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + suffixes[i];
    }

    /// <summary>Go's time.Duration.String for the windows metrics-server serves (milliseconds and more).</summary>
    public static string Window(TimeSpan window)
    {
        var seconds = Seconds(window.Ticks % TimeSpan.TicksPerMinute);
        var minutes = (long)window.TotalMinutes;
        if (minutes == 0)
            return seconds + "s";
        var hours = minutes / 60;
        return hours > 0 ? $"{hours}h{minutes % 60}m{seconds}s" : $"{minutes}m{seconds}s";
    }

    private static string Seconds(long ticks) =>
        (ticks / (decimal)TimeSpan.TicksPerSecond).ToString("0.#########", CultureInfo.InvariantCulture);
}
