using System.Globalization;

namespace Granary.Bench;

/// <summary>The baseline command: a private redis-server unless one is named, then the Redis and etcd rates.</summary>
internal static class BaselineCommand
{
    private const string RedisServerPath = "/usr/bin/redis-server";

    public static async Task RunAsync(BaselineOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"baseline: {Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        if (options.Redis is { } endpoint)
        {
            Print(await BaselineResult.MeasureAsync(endpoint, options.ValueBytes, output, ct), output);
            return;
        }
        var dir = Directory.CreateTempSubdirectory("granary-bench-redis-").FullName;
        try
        {
            var port = ProcessHelpers.FreeLoopbackPorts(1)[0];
            await using var redis = await ChildProcess.StartAsync("redis-server", RedisServerPath,
                ["--bind", "127.0.0.1", "--port", $"{port}", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"],
                dir, "Ready to accept connections", TimeSpan.FromSeconds(15), ct);
            Print(await BaselineResult.MeasureAsync($"127.0.0.1:{port}", options.ValueBytes, output, ct), output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Print(BaselineResult result, TextWriter output) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"baseline: value_bytes={result.ValueBytes} redis_sets_per_s={result.RedisWritesPerSecond:0} etcd_puts_per_s={result.EtcdPutsPerSecond:0}"));
}
