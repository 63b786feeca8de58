namespace Granary.Tests.Unit.Grains;

/// <summary>
/// Waits for a condition that a controller makes true asynchronously (the scheduler binding a pod).
/// Polls a cheap read; fails with the phase, the key and the last value seen, never on machine speed alone.
/// </summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, string phase, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last;
        while (true)
        {
            last = await read();
            if (done(last))
                return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{phase}: condition not reached; last value: {last}");
            await Task.Delay(20);
        }
    }
}
