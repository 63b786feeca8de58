using Granary.Client;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// One connection of the agent to the control plane: its client, and a token cancelled when the connection is lost
/// (the link then reconnects with a new client, and whoever used this one waits for the next).
/// </summary>
public sealed record ControlPlaneConnection(GranaryClient Client, CancellationToken Lost);
