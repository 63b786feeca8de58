namespace Granary.NodeAgent.Server;

/// <summary>
/// Where the agent's server listens, known once it has started (the configured port, or the one the system gave
/// for port 0). The node registers it as status.daemonEndpoints.kubeletEndpoint.
/// </summary>
public sealed class AgentServerEndpoint
{
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The port, or null before the server has started.</summary>
    public int? Port => _port.Task.IsCompletedSuccessfully ? _port.Task.Result : null;

    internal void Started(int port) => _port.TrySetResult(port);
}
