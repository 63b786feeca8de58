using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Carries one proxied TCP connection both ways until both sides are done. <see cref="TcpRelay.Choose"/> picks the
/// implementation once per proxy: <see cref="Splice.SpliceTcpRelay"/> where the kernel splices, else
/// <see cref="CopyingTcpRelay"/>.
/// </summary>
internal interface ITcpRelay : IDisposable
{
    /// <summary>How the relay moves bytes, for the log line that names the choice.</summary>
    string Description { get; }

    /// <summary>
    /// Takes ownership of both connected sockets and completes when both are closed; never throws for a socket
    /// failure. A side's end of stream reaches the other as a half-close once everything before it was delivered; a
    /// reset or error on either side resets both; <paramref name="ct"/> (the proxy stopping) resets both. Called
    /// after the relay was disposed, it resets both at once.
    /// </summary>
    Task RunAsync(Socket client, Socket backend, CancellationToken ct);
}
