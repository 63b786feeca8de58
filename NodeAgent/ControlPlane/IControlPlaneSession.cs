namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// The agent's current connection to the control plane, for the parts that read from it beside the link that keeps
/// it (the service catalog): they share its client instead of opening their own.
/// </summary>
public interface IControlPlaneSession
{
    /// <summary>The connection while connected, else null.</summary>
    ControlPlaneConnection? Connection { get; }

    /// <summary>The connection once connected (at once when it is).</summary>
    Task<ControlPlaneConnection> WaitForConnectionAsync(CancellationToken ct);
}
