using System.Net.Sockets;
using Granary.NodeAgent.Networking.Proxy.Splice;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>The one place that decides how TCP is relayed, and the reset both relays use.</summary>
internal static partial class TcpRelay
{
    /// <summary>
    /// The zero-copy relay when <paramref name="splice"/> says the host splices TCP, else the copying relay; the
    /// choice and its reason are logged here, once per proxy.
    /// </summary>
    public static ITcpRelay Choose(SpliceSupport splice, ILogger logger)
    {
        ITcpRelay relay = splice.Available ? new SpliceTcpRelay(SpliceTcpRelay.DefaultLoopCount, logger) : new CopyingTcpRelay();
        if (splice.Available)
            LogChosen(logger, relay.Description);
        else
            LogFallback(logger, relay.Description, splice.Reason);
        return relay;
    }

    /// <summary>Closes a socket with an RST instead of a FIN: the peer learns at once that the connection is gone.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the peer or by the other direction; disposing it is all that is left.
        }
        socket.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service proxy: TCP relayed by {Relay}")]
    private static partial void LogChosen(ILogger logger, string relay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service proxy: TCP relayed by {Relay}, because splice is not usable here: {Reason}")]
    private static partial void LogFallback(ILogger logger, string relay, string reason);
}
