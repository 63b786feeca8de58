using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Granary.Bench;

/// <summary>The proxy benchmark's two measurements, run against any address: bulk throughput and 64-byte round trips.</summary>
internal sealed class ProxyBenchmark(ProxyOptions options, TextWriter output)
{
    private const int RequestSize = 64;

    /// <summary>
    /// MB/s of <see cref="ProxyOptions.Streams"/> connections each reading the bulk server's bytes to the end, and the
    /// CPU time this process spent per GB meanwhile (servers, clients and, when proxied, the proxy: the difference
    /// between a proxied and a direct round is the proxy's cost, which other load on the machine hardly changes).
    /// </summary>
    public async Task<ThroughputSample> ThroughputAsync(IPEndPoint server, CancellationToken ct)
    {
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        var bytes = await Task.WhenAll(Enumerable.Range(0, options.Streams).Select(_ => ReadAllAsync(server, ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var total = bytes.Sum();
        var expected = options.Megabytes * 1024L * 1024L * options.Streams;
        if (total != expected)
            throw new BenchmarkException($"bulk transfer from {server} carried {total} bytes, expected {expected}");
        var cpuPerGB = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds / (total / 1e9);
        output.WriteLine($"  bulk from {server}: {total / 1e6:0} MB in {seconds:0.00} s = {total / 1e6 / seconds:0} MB/s, CPU {cpuPerGB:0.00} s/GB");
        return new ThroughputSample(total / 1e6 / seconds, cpuPerGB);
    }

    /// <summary>The round-trip times (ms) of <see cref="ProxyOptions.Clients"/> connections doing <paramref name="requests"/> each.</summary>
    public async Task<IReadOnlyList<double>> RoundTripsAsync(IPEndPoint server, int requests, CancellationToken ct)
    {
        var perClient = await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(_ => ClientRoundTripsAsync(server, requests, ct)));
        return [.. perClient.SelectMany(s => s)];
    }

    private static async Task<long> ReadAllAsync(IPEndPoint server, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, ct);
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            total += read;
        return total;
    }

    private static async Task<double[]> ClientRoundTripsAsync(IPEndPoint server, int requests, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, ct);
        var request = new byte[RequestSize];
        var response = new byte[RequestSize];
        var samples = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await socket.SendAsync(request, SocketFlags.None, ct);
            for (var got = 0; got < RequestSize;)
            {
                var read = await socket.ReceiveAsync(response.AsMemory(got), SocketFlags.None, ct);
                if (read == 0)
                    throw new BenchmarkException($"{server} closed the connection after {i} round trips");
                got += read;
            }
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return samples;
    }
}

/// <summary>One bulk round: throughput and the process's CPU seconds per GB carried.</summary>
internal sealed record ThroughputSample(double MBps, double CpuSecondsPerGB);
