using System.Net;
using System.Net.Sockets;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>Free loopback ports, so tests never share or collide with a fixed port.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Handed)
            {
                // Never hand out the same port twice in one run, even after it was released.
                if (Handed.Add(port))
                    return port;
            }
        }
    }
}
