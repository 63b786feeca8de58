using System.Diagnostics;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// Creates the benchmark pods bench-pod-0… through the SDK with a bounded number of calls in flight, and keeps
/// when each call started and returned (Stopwatch timestamps). The first failure stops it with its reason; nothing is retried.
/// </summary>
internal sealed class PodCreations(int count)
{
    private int _done;

    public long[] StartedAt { get; } = new long[count];
    public long[] ReturnedAt { get; } = new long[count];
    public long FirstStartedAt { get; private set; }
    public long LastReturnedAt { get; private set; }

    /// <summary>Create calls returned so far; safe to read from any thread (the progress printer).</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>Per pod: the create call alone, client side.</summary>
    public LatencySummary CallLatency() =>
        Percentiles.Summarize(Enumerable.Range(0, count).Select(i => Stopwatch.GetElapsedTime(StartedAt[i], ReturnedAt[i]).TotalMilliseconds));

    public async Task RunAsync(ResourceClient<Pod> pods, int concurrency, Func<string, Pod> make, CancellationToken ct)
    {
        FirstStartedAt = Stopwatch.GetTimestamp();
        await InFlight.ForEachAsync(count, concurrency, async (i, token) =>
        {
            var name = BenchObjects.PodName(i, count);
            var pod = make(name);
            StartedAt[i] = Stopwatch.GetTimestamp();
            try
            {
                await pods.CreateAsync(pod, token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw BenchmarkException.Failed($"creating pod {BenchObjects.Namespace}/{name} failed after {Done} pods", e);
            }
            ReturnedAt[i] = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _done);
        }, ct);
        LastReturnedAt = ReturnedAt.Max();
    }
}
