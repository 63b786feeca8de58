namespace Granary.NodeAgent.Systemd;

/// <summary>A loop that has not beaten within its allowance.</summary>
public sealed record StaleLoop(string Name, TimeSpan SinceLastBeat, TimeSpan MaxStaleness);

/// <summary>
/// Liveness of the agent's own loops, for systemd's watchdog: each loop registers how long it may go quiet and
/// beats after every pass; the agent is healthy while every loop beat within its allowance. A hung loop thus
/// stops the watchdog pings and systemd restarts the agent, which adopts the running containers. Thread-safe.
/// </summary>
public sealed class AgentHealth(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset LastBeat, TimeSpan MaxStaleness)> _loops = new(StringComparer.Ordinal);

    /// <summary>Adds a loop (registering counts as a beat); registering again changes its allowance.</summary>
    public void Register(string loopName, TimeSpan maxStaleness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxStaleness, TimeSpan.Zero);
        lock (_lock)
            _loops[loopName] = (time.GetUtcNow(), maxStaleness);
    }

    /// <summary>The loop completed a pass. Throws for a loop never registered: its allowance would be unknown.</summary>
    public void Beat(string loopName)
    {
        lock (_lock)
        {
            if (!_loops.TryGetValue(loopName, out var loop))
                throw new InvalidOperationException($"loop '{loopName}' beat without being registered: call AgentHealth.Register first");
            _loops[loopName] = loop with { LastBeat = time.GetUtcNow() };
        }
    }

    public bool IsHealthy => Stale().Count == 0;

    /// <summary>The loops overdue now, by name.</summary>
    public IReadOnlyList<StaleLoop> Stale()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return _loops
                .Where(l => now - l.Value.LastBeat > l.Value.MaxStaleness)
                .Select(l => new StaleLoop(l.Key, now - l.Value.LastBeat, l.Value.MaxStaleness))
                .OrderBy(l => l.Name, StringComparer.Ordinal)
                .ToList();
        }
    }
}
