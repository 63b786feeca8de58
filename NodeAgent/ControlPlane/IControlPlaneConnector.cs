using Granary.Client;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// How the agent reaches the control plane: as an Orleans client of a remote cluster, or, embedded in a dev
/// silo, through that silo's own cluster client.
/// </summary>
public interface IControlPlaneConnector
{
    /// <summary>Where the agent connects, for messages.</summary>
    string Describe();

    /// <summary>A connected client; throws when the control plane cannot be reached.</summary>
    Task<GranaryClient> ConnectAsync(CancellationToken ct);
}

/// <summary>Connects as an outside client through gateways or Redis.</summary>
public sealed class RemoteControlPlane(GranaryClientOptions options) : IControlPlaneConnector
{
    public string Describe() => options.Describe();

    public Task<GranaryClient> ConnectAsync(CancellationToken ct) => GranaryClient.ConnectAsync(options, ct);
}

/// <summary>Uses the hosting silo's cluster client: nothing to connect, nothing to dispose.</summary>
public sealed class EmbeddedControlPlane(IClusterClient cluster) : IControlPlaneConnector
{
    public string Describe() => "the local silo (embedded)";

    public Task<GranaryClient> ConnectAsync(CancellationToken ct) => Task.FromResult(new GranaryClient(cluster));
}
