using Granary.NodeAgent.Systemd;

namespace Granary.NodeAgent.Hosting;

/// <summary>
/// The agent is ready (systemd READY=1) once it has registered and synced with the control plane AND has
/// reconciled its containers once, so "ready" means the machine matches what the cluster wants.
/// </summary>
public sealed class StartupGate(AgentReadiness readiness)
{
    private int _controlPlane;
    private int _pods;

    public void ControlPlaneSynced()
    {
        Interlocked.Exchange(ref _controlPlane, 1);
        Check();
    }

    public void PodsSynced()
    {
        Interlocked.Exchange(ref _pods, 1);
        Check();
    }

    public bool IsReady => Volatile.Read(ref _controlPlane) == 1 && Volatile.Read(ref _pods) == 1;

    private void Check()
    {
        if (IsReady)
            readiness.MarkReady();
    }
}
