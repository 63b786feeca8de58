using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>How the proxy's listening sockets are opened.</summary>
internal static class ListenerSockets
{
    // Linux's SOL_SOCKET and SO_REUSEPORT; .NET names neither.
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    /// <summary>
    /// A socket bound to <paramref name="address"/>. A cluster IP's listener shares its address (SO_REUSEPORT):
    /// every agent on a machine listens on the same loopback cluster IPs, as every node of a real cluster answers on
    /// them, and the kernel spreads clients over the agents' sockets. A node port is this node's alone.
    /// </summary>
    public static Socket Open(ListenerAddress address, ListenerRole role)
    {
        var socket = address.Protocol == ProxyProtocol.Tcp
            ? new Socket(address.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(address.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (role == ListenerRole.ClusterIP && OperatingSystem.IsLinux())
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(address.EndPoint);
            if (address.Protocol == ProxyProtocol.Tcp)
                socket.Listen(1024);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
