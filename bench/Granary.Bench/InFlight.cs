namespace Granary.Bench;

/// <summary>How every phase of the benchmarks issues its calls: a bounded number in flight.</summary>
internal static class InFlight
{
    /// <summary>Runs <paramref name="body"/> for 0..count-1 with at most <paramref name="concurrency"/> calls in flight; stops at the first failure.</summary>
    public static Task ForEachAsync(int count, int concurrency, Func<int, CancellationToken, ValueTask> body, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, body);
}
