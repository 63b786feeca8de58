using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Granary.Bench;

/// <summary>
/// The raw SET rate of a redis-server (redis-benchmark from redis-tools): values of a pod object's size, random keys,
/// 50 clients, each without and with pipelining (16 commands per round trip), in database 15 so the cluster's own
/// keys in database 0 stay as they are. Returns the better of the two rates.
/// </summary>
internal static partial class RedisBaseline
{
    private const string RedisBenchmarkPath = "/usr/bin/redis-benchmark";
    private const int Requests = 200_000;

    public static async Task<double> MeasureAsync(string endpoint, int valueBytes, TextWriter output, CancellationToken ct)
    {
        if (!File.Exists(RedisBenchmarkPath))
            throw new BenchmarkException($"{RedisBenchmarkPath} is missing: install redis-tools (apt-get install redis-tools), or skip the baselines with --no-baseline");
        var colon = endpoint.LastIndexOf(':');
        var best = 0.0;
        foreach (var pipeline in new[] { 1, 16 })
        {
            string[] arguments = ["-h", endpoint[..colon], "-p", endpoint[(colon + 1)..], "--dbnum", "15", "-t", "set", "-d", $"{valueBytes}",
                "-r", "100000", "-n", $"{Requests}", "-c", "50", "-P", $"{pipeline}", "-q"];
            var text = await RunAsync(arguments, ct);
            var rate = Rate().Matches(text) is { Count: > 0 } m ? double.Parse(m[^1].Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new BenchmarkException($"redis-benchmark {string.Join(' ', arguments)} printed no SET rate: {text}");
            output.WriteLine($"  redis-benchmark SET {valueBytes} B, 50 clients, pipeline {pipeline}: {rate:0} writes/s");
            best = Math.Max(best, rate);
        }
        return best;
    }

    private static async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var info = new ProcessStartInfo(RedisBenchmarkPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new BenchmarkException("could not start redis-benchmark");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return process.ExitCode == 0 ? await stdout
            : throw new BenchmarkException($"redis-benchmark exited with code {process.ExitCode}: {await stderr}");
    }

    [GeneratedRegex(@"SET: ([0-9.]+) requests per second")]
    private static partial Regex Rate();
}
