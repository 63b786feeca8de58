using System.Diagnostics;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Granary.Bench;

/// <summary>
/// The raw put rate of etcd on this machine: a private single-member etcd (Debian's etcd-server; its data folder
/// under the system's temp folder, on the same disk as everything else, with etcd's own fsync per commit) on free
/// loopback ports, driven over its gRPC API (dotnet-etcd) by puts of values a pod object's size to random keys,
/// at a sweep of concurrencies; etcd batches concurrent puts into one commit, so the best of the sweep is its rate.
/// The etcd process and its folder are removed afterwards.
/// </summary>
internal static class EtcdBaseline
{
    private const string EtcdPath = "/usr/bin/etcd";
    private static readonly int[] Concurrencies = [16, 64, 256, 1024];
    private static readonly TimeSpan PerLevel = TimeSpan.FromSeconds(4);
    private const int Clients = 4;

    public static async Task<double> MeasureAsync(int valueBytes, TextWriter output, CancellationToken ct)
    {
        if (!File.Exists(EtcdPath))
            throw new BenchmarkException($"{EtcdPath} is missing: install Debian's etcd (apt-get install etcd-server etcd-client), or skip the baselines with --no-baseline");
        var dir = Directory.CreateTempSubdirectory("granary-bench-etcd-").FullName;
        var ports = ProcessHelpers.FreeLoopbackPorts(2);
        var clientUrl = $"http://127.0.0.1:{ports[0]}";
        var peerUrl = $"http://127.0.0.1:{ports[1]}";
        string[] arguments = ["--name", "bench", "--data-dir", Path.Combine(dir, "data"), "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", $"bench={peerUrl}"];
        try
        {
            await using var etcd = await ChildProcess.StartAsync("etcd", EtcdPath, arguments, dir, "ready to serve client requests", TimeSpan.FromSeconds(30), ct);
            output.WriteLine($"  etcd {await VersionAsync(ct)} ready on {clientUrl} (pid {etcd.Pid}, data in {dir})");
            var clients = Enumerable.Range(0, Clients).Select(_ => new EtcdClient(clientUrl, configureChannelOptions: o => o.Credentials = ChannelCredentials.Insecure)).ToArray();
            try
            {
                var value = ByteString.CopyFrom(new byte[valueBytes]);
                var best = 0.0;
                foreach (var concurrency in Concurrencies)
                {
                    var rate = await PutRateAsync(clients, value, concurrency, ct);
                    output.WriteLine($"  etcd put {valueBytes} B, {concurrency} in flight: {rate:0} puts/s");
                    best = Math.Max(best, rate);
                }
                return best;
            }
            finally
            {
                foreach (var client in clients)
                    client.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Puts as fast as <paramref name="concurrency"/> calls in flight allow for <see cref="PerLevel"/>; puts per second.</summary>
    private static async Task<double> PutRateAsync(EtcdClient[] clients, ByteString value, int concurrency, CancellationToken ct)
    {
        long done = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var client = clients[worker % clients.Length];
            var random = new Random(worker);
            while (Stopwatch.GetElapsedTime(started) < PerLevel)
            {
                var key = ByteString.CopyFromUtf8($"/registry/pods/default/bench-{random.Next(100_000):000000}");
                await client.PutAsync(new PutRequest { Key = key, Value = value }, cancellationToken: ct);
                Interlocked.Increment(ref done);
            }
        }));
        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<string> VersionAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo(EtcdPath, "--version") { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info);
        if (process is null)
            return "(version unknown)";
        var text = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return text.Split('\n').FirstOrDefault(l => l.StartsWith("etcd Version:", StringComparison.Ordinal))?["etcd Version:".Length..].Trim() ?? "(version unknown)";
    }
}
