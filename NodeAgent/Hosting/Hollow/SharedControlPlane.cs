using Granary.Client;
using Granary.NodeAgent.ControlPlane;

namespace Granary.NodeAgent.Hosting.Hollow;

/// <summary>
/// One Orleans client shared by every hollow node of a process, as kubemark's hollow nodes share their host's
/// network: each node still registers itself, renews its own lease and subscribes its own observer through it.
/// The process owns the client; a node's link that gives up on a connection drops only its wrapper, and Orleans
/// itself reconnects the shared client to another gateway.
/// </summary>
public sealed class SharedControlPlane(IClusterClient cluster, string description) : IControlPlaneConnector
{
    public string Describe() => description;

    public Task<GranaryClient> ConnectAsync(CancellationToken ct) => Task.FromResult(new GranaryClient(cluster));
}
