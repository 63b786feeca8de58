using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// The soak command's wiring: start a private cluster (redis-server and a Redis-backed silo with its HTTPS API), run
/// the traffic for the time asked, sample the silo's memory while it runs, print the verdict, clean up.
/// </summary>
internal static class SoakCommand
{
    private const double BytesPerMib = 1048576.0;

    public static async Task RunAsync(SoakOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"soak: {options.Clients} clients for {options.Duration.TotalMinutes:0.##} min, a sample every {options.SampleEvery.TotalSeconds:0} s; " +
            $"{Environment.ProcessorCount} cores, load {ProcessHelpers.LoadAverage()}");
        await using var cluster = await LocalCluster.StartAsync(ProcessHelpers.FindRepoRoot(), $"soak-{Guid.NewGuid():N}"[..13], output, ct, options.SiloArgs);
        try
        {
            await RunAsync(cluster, options, output, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            Console.Error.WriteLine(cluster.Silo.HasExited ? cluster.Silo.FormatTail() : $"silo log: {cluster.Silo.Problems}");
            throw;
        }
    }

    private static async Task RunAsync(LocalCluster cluster, SoakOptions options, TextWriter output, CancellationToken ct)
    {
        using var traffic = new SoakTraffic(cluster.Api, options.Clients);
        using var probe = cluster.Api.CreateClient(TimeSpan.FromSeconds(10), maxConnections: 1);
        await traffic.CreateNamespacesAsync(ct);

        var samples = new List<(TimeSpan At, long RssBytes)>();
        var started = Stopwatch.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stop.CancelAfter(options.Duration);
        var running = traffic.RunAsync(stop.Token);
        output.WriteLine("  time      rss  gc heap  gc commit  live@full  gen2   loh  poh  full gcs  anon  file  shmem  threads  activ.  dir cache  pods hist (events, MiB)  events kept  req/s  watches  errors");
        var lastRequests = 0L;
        var lastAt = started;
        using (var timer = new PeriodicTimer(options.SampleEvery))
        {
            while (!running.IsCompleted && await WaitAsync(timer, running))
            {
                var now = Stopwatch.GetTimestamp();
                var at = Stopwatch.GetElapsedTime(started, now);
                var rss = ProcessHelpers.RssBytes(cluster.Silo.Pid) ?? throw new BenchmarkException($"the silo (pid {cluster.Silo.Pid}) is gone. {cluster.Silo.FormatTail()}");
                samples.Add((at, rss));
                var metrics = await SiloMetrics.ReadAsync(probe, ct);
                var requests = traffic.Requests;
                var rate = (requests - lastRequests) / Stopwatch.GetElapsedTime(lastAt, now).TotalSeconds;
                (lastRequests, lastAt) = (requests, now);
                output.WriteLine($"  {at.TotalSeconds,4:0} s {rss / BytesPerMib,6:0.0} {Mib(metrics["dotnet_gc_heap_size_bytes"]),8} {Mib(metrics["dotnet_gc_committed_bytes"]),10} " +
                    $"{Mib(metrics["dotnet_gc_live_after_full_bytes"]),10} {Mib(metrics["dotnet_gc_generation_size_bytes{generation=\"2\"}"]),5} " +
                    $"{Mib(metrics["dotnet_gc_generation_size_bytes{generation=\"loh\"}"]),5} {Mib(metrics["dotnet_gc_generation_size_bytes{generation=\"poh\"}"]),4} " +
                    $"{Count(metrics["dotnet_gc_collections_total{gc_heap_generation=\"gen2\"}"]),9} " +
                    $"{Mib(metrics["process_resident_memory_anon_bytes"]),5} {Mib(metrics["process_resident_memory_file_bytes"]),5} {Mib(metrics["process_resident_memory_shmem_bytes"]),6} " +
                    $"{Count(metrics["process_threads"]),8} {Count(metrics["granary_grain_activations"]),7} {Count(metrics["granary_grain_directory_cache_entries"]),10} " +
                    $"{Count(metrics["granary_watch_cache_history_events{resource=\"pods\"}"]),10} {Mib(metrics["granary_watch_cache_history_bytes{resource=\"pods\"}"]),7}      " +
                    $"{Count(metrics["granary_watch_cache_objects{resource=\"events\"}"]),11} {rate,6:0} {traffic.Watches,8} {traffic.Errors,7}");
            }
        }
        await running;
        var elapsed = Stopwatch.GetElapsedTime(started);

        output.WriteLine($"{traffic.Requests} requests in {elapsed.TotalSeconds:0} s ({traffic.Requests / elapsed.TotalSeconds:0}/s), " +
            $"{traffic.Watches} watches ({traffic.WatchEvents} events), {traffic.Errors} errors");
        foreach (var error in traffic.FirstErrors)
            output.WriteLine($"  error: {error}");
        if (samples.Count > 0)
        {
            var peak = ProcessHelpers.PeakRssBytes(cluster.Silo.Pid);
            output.WriteLine($"silo RSS: first sample {samples[0].RssBytes / BytesPerMib:0.0} MiB, middle {samples[samples.Count / 2].RssBytes / BytesPerMib:0.0} MiB, " +
                $"last {samples[^1].RssBytes / BytesPerMib:0.0} MiB, peak {(peak is { } p ? $"{p / BytesPerMib:0.0} MiB" : "unknown")}");
        }
        var (flat, line) = SoakVerdict.Judge(SoakVerdict.SecondHalfSlope(samples, elapsed), options.ToleranceMibPerMinute);
        output.WriteLine(line);
        if (traffic.Errors > 0)
            throw new BenchmarkException($"{traffic.Errors} requests failed; the first: {traffic.FirstErrors.FirstOrDefault()}");
        if (!flat)
            throw new BenchmarkException(line);
    }

    /// <summary>The next tick, or false as soon as the traffic ends (its time is up, or it failed).</summary>
    private static async Task<bool> WaitAsync(PeriodicTimer timer, Task running)
    {
        var tick = timer.WaitForNextTickAsync().AsTask();
        return await Task.WhenAny(tick, running) == tick && await tick;
    }

    private static string Mib(double? bytes) => bytes is { } b ? $"{b / BytesPerMib:0.0}" : "-";

    private static string Count(double? n) => n is { } v ? $"{v:0}" : "-";
}
