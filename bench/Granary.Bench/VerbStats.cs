using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// The requests of one verb in the kube-api benchmark: every request's latency (slot i for request i, so clients
/// write without locks), how many failed, and the first failure's description. Failures are counted, not retried.
/// </summary>
internal sealed class VerbStats(string verb, int count)
{
    private readonly double[] _latencyMs = new double[count];
    private int _done;
    private int _errors;
    private string? _firstError;

    public string Verb { get; } = verb;

    public int Count => count;

    /// <summary>Requests finished so far (succeeded or failed); safe to read from any thread.</summary>
    public int Done => Volatile.Read(ref _done);

    public int Errors => Volatile.Read(ref _errors);

    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>From the first request's start to the last one's end.</summary>
    public TimeSpan Elapsed { get; private set; }

    public void Succeeded(int index, long startedAt)
    {
        _latencyMs[index] = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        Interlocked.Increment(ref _done);
    }

    public void Failed(int index, long startedAt, string what)
    {
        _latencyMs[index] = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        Interlocked.CompareExchange(ref _firstError, what, null);
        Interlocked.Increment(ref _errors);
        Interlocked.Increment(ref _done);
    }

    public void Finish(TimeSpan elapsed) => Elapsed = elapsed;

    public double PerSecond => Elapsed > TimeSpan.Zero ? count / Elapsed.TotalSeconds : 0;

    /// <summary>The latencies of every request, failed ones included (a failure is an answer too, and as slow as it was).</summary>
    public LatencySummary Latency() => Percentiles.Summarize(_latencyMs);
}
