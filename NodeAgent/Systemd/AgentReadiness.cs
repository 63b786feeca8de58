namespace Granary.NodeAgent.Systemd;

/// <summary>
/// The agent's readiness for systemd (Type=notify): <see cref="MarkReady"/>, once the agent has registered its
/// node and synced, sends READY=1, only the first time. Thread-safe.
/// </summary>
public sealed class AgentReadiness(SdNotifier notifier)
{
    private int _ready;

    public bool IsReady => Volatile.Read(ref _ready) == 1;

    public void MarkReady()
    {
        if (Interlocked.Exchange(ref _ready, 1) == 0)
            notifier.Notify("READY=1");
    }
}
