namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Polling with a deadline, for what no watch or event announces (an RBAC binding in force on a silo, a count reached
/// on the far side of a process): one loop for every test that must wait so.
/// </summary>
internal static class Waiting
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until it holds; the timeout names the phase and what was expected.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string phase, Func<string> state) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, phase, state);

    /// <summary>Polls an asynchronous <paramref name="condition"/> (a request) until it holds.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string phase, Func<string> state)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
                throw new TimeoutException($"{phase}: not reached within {timeout.TotalSeconds:0}s ({state()})");
            await Task.Delay(Interval, CancellationToken.None);
        }
    }
}
