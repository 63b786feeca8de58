namespace Granary.Tests.Integration.Durability;

internal static class Waiting
{
    /// <summary>Polls <paramref name="condition"/> until it holds; the timeout names the phase and what was expected.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string phase, Func<string> state)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
                throw new TimeoutException($"{phase}: not reached within {timeout.TotalSeconds:0}s ({state()})");
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }
}
